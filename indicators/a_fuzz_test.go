package indicators_test

import (
	"bytes"
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

// fuzzSpecsA are the indicators whose snapshot decoders FuzzUnmarshalA
// feeds: one per state layout of this file family.
var fuzzSpecsA = []string{
	"sma(5)", "ema(5)", "wma(5)", "dema(3)", "tema(3)", "trima(4)", "trima(5)", "kama(4)", "t3(2,0.7)",
	"mama(0.5,0.05)", "macd(3,5,2)", "macdext(3,1,5,4,2,7)", "macdfix(2)", "apo(3,5,3)", "ppo(3,5,8)",
	"rsi(3)", "cmo(3)", "mom(2)", "roc(2)", "trix(2)", "stddev(3,2)", "var(1)", "var(3)",
	"bbands(3,2,2,ema)", "linearreg_angle(3)", "tsf(3)", "stochrsi(3,2,2,ema)",
}

// FuzzUnmarshalA restores arbitrary bytes into every indicator of the
// family: it must never panic; a snapshot it accepts must keep working
// (Update, Peek) and re-encode to the same bytes.
func FuzzUnmarshalA(f *testing.F) {
	reg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		f.Fatal(err)
	}
	bars := randomWalkA(2, 60, 10, 0.05)
	for _, spec := range fuzzSpecsA {
		in, err := reg.New(spec)
		if err != nil {
			f.Fatalf("%s: %v", spec, err)
		}
		for i, b := range bars {
			in.Update(b)
			if i%17 == 3 {
				snap, _ := in.MarshalBinary()
				f.Add(snap)
				f.Add(snap[:len(snap)/2])
				flipped := bytes.Clone(snap)
				flipped[len(flipped)-3] ^= 0x80
				f.Add(flipped)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out := make([]float64, 3)
		for _, spec := range fuzzSpecsA {
			in, _ := reg.New(spec)
			if in.UnmarshalBinary(data) != nil {
				continue
			}
			again, err := in.MarshalBinary()
			if err != nil || !bytes.Equal(again, data) {
				t.Fatalf("%s: accepted snapshot re-encodes differently", spec)
			}
			for _, b := range bars[:10] {
				in.Peek(b, out)
				in.Update(b)
				_ = in.Value(0)
			}
		}
	})
}
