// The platform's API as the console uses it: the same routes, accounts and tokens as any client.
// The tokens live in this tab's sessionStorage (closing the tab signs out); an access token that
// has expired is renewed once with the refresh token, and a session that cannot be renewed sends
// the person to the "session expired" page.
const BASE = "/api/v1";
const KEY = "sbd.session";

export const session = {
  get() { try { return JSON.parse(sessionStorage.getItem(KEY)) || null; } catch { return null; } },
  set(value) { sessionStorage.setItem(KEY, JSON.stringify(value)); },
  clear() { sessionStorage.removeItem(KEY); },
};

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `请求失败（${status}）`);
    this.status = status;
    this.code = error.code;
    this.fields = error.fields || [];
  }
}

async function send(method, path, body, token, extra = {}) {
  const headers = { ...(extra.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  return fetch(BASE + path, { method, headers, body: payload });
}

let renewing = null;

async function renew() {
  const s = session.get();
  if (!s || !s.refresh) return false;
  renewing = renewing || send("POST", "/auth/refresh", { refresh_token: s.refresh }).then(async (r) => {
    if (!r.ok) return false;
    const t = await r.json();
    session.set({ ...s, access: t.access_token, refresh: t.refresh_token });
    return true;
  }).finally(() => { renewing = null; });
  return renewing;
}

export function expired() {
  session.clear();
  sessionStorage.setItem("sbd.after_login", location.hash);   // back there after signing in again
  location.hash = "#/expired";
}

/** The answer of a route as JSON (or the Response itself with {raw: true}). */
export async function api(method, path, body, options = {}) {
  const s = session.get();
  let r = await send(method, path, body, s && s.access, options);
  if (r.status === 401 && s && (await renew())) r = await send(method, path, body, session.get().access, options);
  if (r.status === 401 && s && !options.public) {
    // an answer that comes back after the person signed out (a page still loading) changes nothing
    if (session.get()) expired();
    throw new ApiError(401, { error: { code: "session_expired", message: "登录已过期，请重新登录" } });
  }
  if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => ({})));
  if (options.raw) return r;
  return r.status === 204 ? null : r.json();
}

export const get = (path, options) => api("GET", path, undefined, options);

/** Every item of a list route, page by page (200 a page). */
export async function everyPage(path) {
  const items = [];
  for (let page = 1; ; page++) {
    const found = await get(`${path}${path.includes("?") ? "&" : "?"}page=${page}&page_size=200`);
    items.push(...found.items);
    if (items.length >= found.total || !found.items.length) return items;
  }
}
export const post = (path, body, options) => api("POST", path, body === undefined ? {} : body, options);
export const put = (path, body) => api("PUT", path, body);

export async function login(username, password) {
  const r = await send("POST", "/auth/login", { username, password });
  if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => ({})));
  const t = await r.json();
  session.set({ access: t.access_token, refresh: t.refresh_token });
  const me = await get("/me");
  session.set({ ...session.get(), me });
  return me;
}

export async function logout() {
  try { await post("/auth/logout"); } catch { /* the session ends here whatever the server says */ }
  session.clear();
}

/** A file of a route (a PDF, a Word or Excel file) saved under the name the server gives it. */
export async function download(path) {
  const r = await api("GET", path, undefined, { raw: true });
  const disposition = r.headers.get("Content-Disposition") || "";
  const match = disposition.match(/filename\*=UTF-8''([^;]+)/);
  const name = match ? decodeURIComponent(match[1]) : path.split("/").pop();
  const url = URL.createObjectURL(await r.blob());
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

/** The current half year, as the platform writes it (2026H2), in the city's calendar. */
export function currentPeriod(day = new Date()) {
  const beijing = new Date(day.getTime() + (8 * 60 + day.getTimezoneOffset()) * 60000);
  return `${beijing.getFullYear()}H${beijing.getMonth() < 6 ? 1 : 2}`;
}

/** The half year to settle by default: the one just ended in its first two months (a community
 * drafts, reviews and publishes it then), else the current one. */
export function settlingPeriod(day = new Date()) {
  const now = currentPeriod(day);
  const month = new Date(day.getTime() + (8 * 60 + day.getTimezoneOffset()) * 60000).getMonth();
  if (month % 6 > 1) return now;
  const year = Number(now.slice(0, 4));
  return now.endsWith("H1") ? `${year - 1}H2` : `${year}H1`;
}

/** The current half year and the three before it, newest first. */
export function recentPeriods(day = new Date()) {
  const out = [currentPeriod(day)];
  while (out.length < 4) {
    const last = out[out.length - 1];
    const year = Number(last.slice(0, 4));
    out.push(last.endsWith("H2") ? `${year}H1` : `${year - 1}H2`);
  }
  return out;
}
