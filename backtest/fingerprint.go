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
	h := sha256.New()
	for _, kv := range [][2]string{
		{"version", f.Version}, {"input", f.Input}, {"strategy", f.Strategy},
		{"costs", f.Costs}, {"signals", f.Signals}, {"equity", f.Equity},
	} {
		h.Write([]byte(kv[0] + "=" + kv[1] + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fingerprinter hashes a run as it goes. Not safe for concurrent use.
type fingerprinter struct {
	input, signals, equityH hash.Hash
	buf                     []byte
	inputHex                string // when set, the input hash (computed once for a sweep)
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
	hexOf := func(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
	js := func(v any) string {
		b, _ := json.Marshal(v) // plain structs of strings and numbers: cannot fail
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:])
	}
	input := f.inputHex
	if input == "" {
		input = hexOf(f.input)
	}
	return FingerprintParts{
		Version:  Version,
		Input:    input,
		Strategy: js(rp.Strategies),
		Costs: js(struct {
			P       PortfolioDescription
			Symbols []string
			From    string
			To      string
		}{rp.Portfolio, rp.Symbols, rp.From.UTC().String(), rp.To.UTC().String()}),
		Signals: hexOf(f.signals),
		Equity:  hexOf(f.equityH),
	}
}
