package backtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"strconv"

	"github.com/candlewick-labs/candlewick/events"
)

// FingerprintParts are the hashes the run fingerprint is made of, each the
// lower-case hex SHA-256 of its input, so a changed fingerprint says which
// part changed.
type FingerprintParts struct {
	// Version is the backtest engine version ([Version]).
	Version string `json:"version"`
	// Input hashes the stream name, then per applied bar its position
	// (partition, offset) and its binary encoding (events.Bar.AppendBinary).
	Input string `json:"input"`
	// Strategy hashes the strategies (name, definition, version, parameter
	// text, symbols, intervals) as JSON of RunParams.Strategies.
	Strategy string `json:"strategy"`
	// Costs hashes the cost model with defaults applied, as JSON of
	// RunParams.Portfolio, plus the selected symbols and time range.
	Costs string `json:"costs"`
	// Signals hashes the binary encoding of every signal, in order.
	Signals string `json:"signals"`
	// Equity hashes "time equity cash benchmark\n" per equity point.
	Equity string `json:"equity"`
}

// sum is the fingerprint: SHA-256 over "name=value\n" for each part, in
// the order of the struct.
func (f FingerprintParts) sum() string {
	// The lines are hashed as one text (the same bytes as line by line),
	// built in a buffer on the stack: a sweep sums once per point.
	var buf [512]byte
	b := buf[:0]
	for _, kv := range [...][2]string{
		{"version", f.Version}, {"input", f.Input}, {"strategy", f.Strategy},
		{"costs", f.Costs}, {"signals", f.Signals}, {"equity", f.Equity},
	} {
		b = append(b, kv[0]...)
		b = append(b, '=')
		b = append(b, kv[1]...)
		b = append(b, '\n')
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// fingerprinter hashes a run as it goes. Not safe for concurrent use.
type fingerprinter struct {
	input, signals, equityH hash.Hash
	buf                     []byte
	inputHex                string // when set, the input hash (computed once for a sweep)
	costsHex                string // when set, the costs hash (the same for a sweep's runs)
	deferInput              bool   // the input hash is the sweep's: finish leaves it empty if inputHex is
}

// reset makes f what newFingerprinter(stream) returns, keeping its memory.
func (f *fingerprinter) reset(stream string) {
	f.input.Reset()
	f.signals.Reset()
	f.equityH.Reset()
	f.inputHex, f.costsHex, f.deferInput = "", "", false
	f.input.Write([]byte(stream))
	f.input.Write([]byte{0})
}

func newFingerprinter(stream string) *fingerprinter {
	f := &fingerprinter{input: sha256.New(), signals: sha256.New(), equityH: sha256.New(), buf: make([]byte, 0, 256)}
	f.input.Write([]byte(stream))
	f.input.Write([]byte{0})
	return f
}

func (f *fingerprinter) bar(pos events.Position, b *events.Bar) {
	f.buf = strconv.AppendInt(f.buf[:0], int64(pos.Partition), 10)
	f.buf = append(f.buf, ':')
	f.buf = strconv.AppendInt(f.buf, pos.Offset, 10)
	f.buf = append(f.buf, 0)
	f.buf = b.AppendBinary(f.buf)
	f.input.Write(f.buf)
}

func (f *fingerprinter) signal(s *events.Signal) {
	f.buf = s.AppendBinary(f.buf[:0])
	f.signals.Write(f.buf)
}

// equityLine hashes a line that equity would build for the same point.
func (f *fingerprinter) equityLine(line []byte) { f.equityH.Write(line) }

func (f *fingerprinter) equity(p *EquityPoint) {
	f.buf = strconv.AppendInt(f.buf[:0], p.Time.UnixNano(), 10)
	f.buf = append(f.buf, ' ')
	f.buf = append(f.buf, p.Equity.String()...)
	f.buf = append(f.buf, ' ')
	f.buf = append(f.buf, p.Cash.String()...)
	f.buf = append(f.buf, ' ')
	f.buf = append(f.buf, p.Benchmark.String()...)
	f.buf = append(f.buf, '\n')
	f.equityH.Write(f.buf)
}

func (f *fingerprinter) finish(rp RunParams) FingerprintParts {
	hexOf := func(h hash.Hash) string {
		var sum [sha256.Size]byte
		return hex.EncodeToString(h.Sum(sum[:0]))
	}
	js := func(v any) string {
		b, _ := json.Marshal(v) // plain structs of strings and numbers: cannot fail
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:])
	}
	input := f.inputHex
	if input == "" && !f.deferInput {
		input = hexOf(f.input)
	}
	costs := f.costsHex
	if costs == "" {
		costs = js(struct {
			P       PortfolioDescription
			Symbols []string
			From    string
			To      string
		}{rp.Portfolio, rp.Symbols, rp.From.UTC().String(), rp.To.UTC().String()})
	}
	return FingerprintParts{
		Version:  Version,
		Input:    input,
		Strategy: js(rp.Strategies),
		Costs:    costs,
		Signals:  hexOf(f.signals),
		Equity:   hexOf(f.equityH),
	}
}
