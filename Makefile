# The few commands people run. CI runs .ci/run (vet + gofmt + test).
.PHONY: build demo test bench fuzz lint

build:
	go build -o entitywatch ./cmd/entitywatch

demo:
	go run ./cmd/entitywatch demo

test:
	go test ./...

lint:
	go vet ./...
	@test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)

bench:
	go test ./ingest ./diff ./store ./web -run '^$$' -bench . -benchmem

# Large seeds make minimising each new input slow; cap it or the run stalls.
FUZZTIME ?= 60s
fuzz:
	go test ./ingest -run '^$$' -fuzz FuzzParseRuleXML -fuzztime $(FUZZTIME) -fuzzminimizetime 100x
	go test ./ingest -run '^$$' -fuzz FuzzParseRuleHTML -fuzztime $(FUZZTIME) -fuzzminimizetime 100x
	go test ./ingest -run '^$$' -fuzz 'FuzzParseECFR$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x
	go test ./ingest -run '^$$' -fuzz FuzzSplitECFREntity -fuzztime $(FUZZTIME) -fuzzminimizetime 100x
	go test ./ingest -run '^$$' -fuzz FuzzScanXML -fuzztime $(FUZZTIME) -fuzzminimizetime 100x
	go test ./ingest -run '^$$' -fuzz FuzzFold -fuzztime $(FUZZTIME)
	go test ./ingest -run '^$$' -fuzz FuzzMatchAKA -fuzztime $(FUZZTIME)
