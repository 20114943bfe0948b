.PHONY: run test
run:   ## every service and the gateway, with the demo city
	deploy/local/run.sh
test:  ## the whole suite: unit, integration, end-to-end
	deploy/local/test.sh
