package backtest

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestMarkerFloatWide checks marker.float (its strconv.ParseFloat path)
// against the plain decimal conversion, InexactFloat64, on random
// coefficients of up to ~400 digits and exponents from -720 to +330:
// correctly rounded values, subnormals, zeros and the range ends.
func TestMarkerFloatWide(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var m marker
	c := new(big.Int)
	for i := range 200000 {
		c.SetInt64(r.Int64N(1<<63-1) >> r.IntN(63))
		for range r.IntN(22) {
			c.Mul(c, big.NewInt(r.Int64N(1<<63-1)>>r.IntN(63)))
		}
		if i%7 == 0 {
			// Halfway and near-halfway cases: 53-bit mantissas with a
			// trailing 5 or 4/6 digit pattern after scaling.
			c.SetInt64(r.Int64N(1<<53)*10 + 5 - int64(r.IntN(3)))
		}
		if r.IntN(2) == 0 {
			c.Neg(c)
		}
		e := int32(r.IntN(1050) - 720)
		d := decimal.NewFromBigInt(c, e)
		if got, want := m.float(c, e), d.InexactFloat64(); got != want {
			t.Fatalf("float(%s e%d) = %v, want %v", c, e, got, want)
		}
	}
	for _, s := range []string{"0", "-0.000", "1e308", "1.7976931348623157e308", "1.7976931348623159e308",
		"4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "0.1", "-0.3"} {
		d := decimal.RequireFromString(s)
		if got, want := m.float(d.Coefficient(), d.Exponent()), d.InexactFloat64(); got != want {
			t.Fatalf("float(%s) = %v, want %v", s, got, want)
		}
	}
}
