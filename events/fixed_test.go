package events_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/shopspring/decimal"
)

func TestParseFixed(t *testing.T) {
	tests := []struct {
		in    string
		want  string // String() of the result; "" when an error is expected
		coef  int64
		scale int
		err   error
	}{
		{in: "0", want: "0"},
		{in: "-0", want: "0"},
		{in: "+0", want: "0"},
		{in: "0.000", want: "0"},
		{in: "-0.000", want: "0"},
		{in: "00012.3400", want: "12.34", coef: 1234, scale: 2},
		{in: "1.5", want: "1.5", coef: 15, scale: 1},
		{in: "-0.00001234", want: "-0.00001234", coef: -1234, scale: 8},
		{in: "1e-05", want: "0.00001", coef: 1, scale: 5},
		{in: "1.234E+3", want: "1234", coef: 1234},
		{in: "1.234e3", want: "1234", coef: 1234},
		{in: "12e-1", want: "1.2", coef: 12, scale: 1},
		{in: "0e99999999", want: "0"},
		{in: "1.", want: "1", coef: 1},
		{in: ".5", want: "0.5", coef: 5, scale: 1},
		{in: "-.5", want: "-0.5", coef: -5, scale: 1},
		{in: "42", want: "42", coef: 42},
		{in: "9223372036854775807", want: "9223372036854775807", coef: math.MaxInt64},
		{in: "-9223372036854775808", want: "-9223372036854775808", coef: math.MinInt64},
		{in: "-9.223372036854775808", want: "-9.223372036854775808", coef: math.MinInt64, scale: 18},
		{in: "0.922337203685477580", want: "0.92233720368547758", coef: 92233720368547758, scale: 17},
		{in: "0.000000000000000001", want: "0.000000000000000001", coef: 1, scale: 18},
		{in: "1000000000000000000.000000000000000000000", want: "1000000000000000000", coef: 1e18},
		{in: "1.0000000000000000000000000", want: "1", coef: 1},
		{in: "9999999999999999999", err: events.ErrFixedRange},   // 19 digits, above MaxInt64
		{in: "9223372036854775808", err: events.ErrFixedRange},   // MaxInt64 + 1
		{in: "-9223372036854775809", err: events.ErrFixedRange},  // MinInt64 - 1
		{in: "12345678901234567890", err: events.ErrFixedRange},  // 20 digits
		{in: "0.0000000000000000001", err: events.ErrFixedRange}, // scale 19
		{in: "1.0000000000000000001", err: events.ErrFixedRange}, // 20 significant digits
		{in: "1e19", err: events.ErrFixedRange},
		{in: "1e-19", err: events.ErrFixedRange},
		{in: "1e999999999999", err: events.ErrFixedRange},
		{in: "", err: events.ErrNotNumber},
		{in: ".", err: events.ErrNotNumber},
		{in: "-", err: events.ErrNotNumber},
		{in: "1e", err: events.ErrNotNumber},
		{in: "1e+", err: events.ErrNotNumber},
		{in: "e5", err: events.ErrNotNumber},
		{in: "--1", err: events.ErrNotNumber},
		{in: "+-1", err: events.ErrNotNumber},
		{in: "1..2", err: events.ErrNotNumber},
		{in: "1.2.3", err: events.ErrNotNumber},
		{in: "NaN", err: events.ErrNotNumber},
		{in: "Inf", err: events.ErrNotNumber},
		{in: "-Inf", err: events.ErrNotNumber},
		{in: "Infinity", err: events.ErrNotNumber},
		{in: " 1", err: events.ErrNotNumber},
		{in: "1 ", err: events.ErrNotNumber},
		{in: "0x10", err: events.ErrNotNumber},
		{in: "1_000", err: events.ErrNotNumber},
		{in: "1,5", err: events.ErrNotNumber},
	}
	for _, tc := range tests {
		t.Run(strconv.Quote(tc.in), func(t *testing.T) {
			got, err := events.ParseFixed(tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ParseFixed(%q) = %v, %v; want error %v", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFixed(%q): %v", tc.in, err)
			}
			if got.String() != tc.want || got.Coef() != tc.coef || got.Scale() != tc.scale {
				t.Fatalf("ParseFixed(%q) = %s (coef %d scale %d); want %s (coef %d scale %d)",
					tc.in, got, got.Coef(), got.Scale(), tc.want, tc.coef, tc.scale)
			}
			back, err := events.ParseFixed(got.String())
			if err != nil || back != got {
				t.Fatalf("round trip of %s: %v, %v", got, back, err)
			}
		})
	}
}

func TestNewFixed(t *testing.T) {
	tests := []struct {
		coef  int64
		scale int
		want  string
		err   error
	}{
		{coef: 1500, scale: 3, want: "1.5"},
		{coef: 0, scale: 18, want: "0"},
		{coef: math.MaxInt64, scale: 18, want: "9.223372036854775807"},
		{coef: math.MinInt64, scale: 18, want: "-9.223372036854775808"},
		{coef: math.MinInt64, scale: 0, want: "-9223372036854775808"},
		{coef: 1, scale: 19, err: events.ErrFixedRange},
		{coef: 1, scale: -1, err: events.ErrFixedRange},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			f, err := events.NewFixed(tc.coef, tc.scale)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("NewFixed(%d, %d) error %v; want %v", tc.coef, tc.scale, err, tc.err)
				}
				return
			}
			if err != nil || f.String() != tc.want {
				t.Fatalf("NewFixed(%d, %d) = %s, %v; want %s", tc.coef, tc.scale, f, err, tc.want)
			}
			back, err := events.ParseFixed(f.String())
			if err != nil || back != f {
				t.Fatalf("ParseFixed(%s) = %v, %v; want %v", f, back, err, f)
			}
			checkDecimalIdentity(t, f)
			if want, _ := strconv.ParseFloat(f.String(), 64); f.Float64() != want {
				t.Fatalf("Float64(%s) = %v; want %v", f, f.Float64(), want)
			}
		})
	}
}

func TestFixedCmp(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "1.0", 0},
		{"1.5", "1.49999", 1},
		{"-1.5", "-1.4", -1},
		{"-1", "1", -1},
		{"0", "0.0001", -1},
		{"9223372036854775807", "0.000000000000000001", 1},
		{"-9.223372036854775808", "-9223372036854775808", 1},
		{"922337203685477580.7", "922337203685477580.70", 0},
	}
	for _, tc := range tests {
		t.Run(tc.a+"_"+tc.b, func(t *testing.T) {
			if got := fx(tc.a).Cmp(fx(tc.b)); got != tc.want {
				t.Fatalf("Cmp(%s, %s) = %d; want %d", tc.a, tc.b, got, tc.want)
			}
			if got := fx(tc.b).Cmp(fx(tc.a)); got != -tc.want {
				t.Fatalf("Cmp(%s, %s) = %d; want %d", tc.b, tc.a, got, -tc.want)
			}
		})
	}
}

// TestFixedCmpRandom checks Cmp against decimal's comparison on random
// values of every pair of scales, coefficients near the int64 limits
// included (where scaling overflows and Cmp falls back to decimal).
func TestFixedCmpRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 200_000; i++ {
		var fs [2]events.Fixed
		for j := range fs {
			c := int64(rng.Uint64() >> uint(rng.IntN(64)))
			if rng.IntN(2) == 0 {
				c = -c
			}
			f, err := events.NewFixed(c, rng.IntN(events.MaxScale+1))
			if err != nil {
				t.Fatal(err)
			}
			fs[j] = f
		}
		if i%4 == 0 {
			fs[1] = fs[0] // equal values, often at another scale after normalising
		}
		a, b := fs[0], fs[1]
		if got, want := a.Cmp(b), a.Decimal().Cmp(b.Decimal()); got != want {
			t.Fatalf("Cmp(%s, %s) = %d; want %d", a, b, got, want)
		}
	}
}

func TestFixedFromDecimal(t *testing.T) {
	tests := []struct {
		in  decimal.Decimal
		out string
		err error
	}{
		{in: decimal.RequireFromString("1.50"), out: "1.5"},
		{in: decimal.New(1, 3), out: "1000"},
		{in: decimal.New(123, -20), err: events.ErrFixedRange},
		{in: decimal.New(10000000000, -20), out: "0.0000000001"},
		{in: decimal.RequireFromString("123456789012345678901234567890"), err: events.ErrFixedRange},
		{in: decimal.RequireFromString("1234567890123456789000000000.0000000000"), err: events.ErrFixedRange},
		{in: decimal.RequireFromString("0.10000000000000000000000000"), out: "0.1"},
		{in: decimal.New(1, 19), err: events.ErrFixedRange},
	}
	for _, tc := range tests {
		t.Run(tc.in.String(), func(t *testing.T) {
			f, err := events.FixedFromDecimal(tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("FixedFromDecimal(%s) = %v, %v; want %v", tc.in, f, err, tc.err)
				}
				return
			}
			if err != nil || f.String() != tc.out {
				t.Fatalf("FixedFromDecimal(%s) = %s, %v; want %s", tc.in, f, err, tc.out)
			}
		})
	}
}

func TestFixedJSONText(t *testing.T) {
	var f events.Fixed
	for _, in := range []string{`"1.25"`, `1.25`, `1.25e0`, `"125e-2"`} {
		if err := f.UnmarshalJSON([]byte(in)); err != nil || f != fx("1.25") {
			t.Fatalf("UnmarshalJSON(%s) = %v, %v", in, f, err)
		}
	}
	if err := f.UnmarshalJSON([]byte("null")); err != nil || f != fx("1.25") {
		t.Fatalf("UnmarshalJSON(null) changed f to %v, %v", f, err)
	}
	for _, in := range []string{`"1.25`, `"abc"`, `""`, `true`} {
		if err := f.UnmarshalJSON([]byte(in)); err == nil {
			t.Fatalf("UnmarshalJSON(%s) succeeded", in)
		}
	}
	b, _ := fx("-0.00001234").MarshalJSON()
	if string(b) != `"-0.00001234"` {
		t.Fatalf("MarshalJSON = %s", b)
	}
}

// checkDecimalIdentity checks Fixed -> decimal.Decimal -> Fixed is the identity
// and that both agree on the text.
func checkDecimalIdentity(t *testing.T, f events.Fixed) {
	t.Helper()
	d := f.Decimal()
	back, err := events.FixedFromDecimal(d)
	if err != nil || back != f {
		t.Fatalf("FixedFromDecimal(%s.Decimal()) = %v, %v; want %v", f, back, err, f)
	}
	if !d.Equal(decimal.RequireFromString(f.String())) {
		t.Fatalf("Decimal(%s) = %s", f, d)
	}
}

func FuzzFixed(f *testing.F) {
	for _, s := range []string{"0", "-0", "0.000", "1e-05", "1.234E+3", "9223372036854775807",
		"-9223372036854775808", "-9.223372036854775808", "0.000000000000000001",
		"0.0000000000000000001", "12345678901234567890", "NaN", "Inf", "", ".", "1.", ".5",
		"1e", "--1", "64854.12", "1000000000000000000.000000000000000000000", "0e99999999",
		"1e18", "-1e-18", "123.456e-10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := events.ParseFixed(s)
		if err != nil {
			if !errors.Is(err, events.ErrNotNumber) && !errors.Is(err, events.ErrFixedRange) {
				t.Fatalf("ParseFixed(%q): unexpected error %v", s, err)
			}
			return
		}
		// shopspring/decimal is the reference; where it parses too, the
		// numbers must be equal. (It accepts a few forms we refuse and
		// vice versa, e.g. "1." or ".5" in some versions, so only compare
		// when both succeed.)
		if d, derr := decimal.NewFromString(s); derr == nil && !d.Equal(v.Decimal()) {
			t.Fatalf("ParseFixed(%q) = %s; decimal says %s", s, v, d)
		}
		str := v.String()
		back, err := events.ParseFixed(str)
		if err != nil || back != v {
			t.Fatalf("ParseFixed(String(%q) = %q) = %v, %v", s, str, back, err)
		}
		checkDecimalIdentity(t, v)
		want, err := strconv.ParseFloat(str, 64)
		if err != nil {
			t.Fatalf("ParseFloat(%q): %v", str, err)
		}
		if got := v.Float64(); got != want {
			t.Fatalf("Float64(%s) = %v; ParseFloat = %v", str, got, want)
		}
		// Normalised: a trailing fractional zero would break == equality.
		if v.Scale() > 0 && v.Coef()%10 == 0 {
			t.Fatalf("%s not normalised: coef %d scale %d", str, v.Coef(), v.Scale())
		}
	})
}

// TestMulPow10 checks the table-driven mulPow10 against the loop of checked
// multiplications it replaces, at the bounds and on random values.
func TestMulPow10(t *testing.T) {
	loop := func(v int64, n int) (int64, bool) {
		for ; n > 0; n-- {
			if v > math.MaxInt64/10 || v < math.MinInt64/10 {
				return 0, false
			}
			v *= 10
		}
		return v, true
	}
	check := func(v int64, n int) {
		t.Helper()
		got, gok := events.MulPow10(v, n)
		want, wok := loop(v, n)
		if got != want || gok != wok {
			t.Fatalf("mulPow10(%d, %d) = %d, %v; want %d, %v", v, n, got, gok, want, wok)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for n := -1; n <= 21; n++ {
		for _, v := range []int64{0, 1, -1, 9, -9, math.MaxInt64, math.MinInt64, math.MaxInt64 / 10, math.MinInt64 / 10} {
			check(v, n)
		}
		if n >= 0 && n < len(events.MulLimit) {
			for _, v := range []int64{events.MulLimit[n], events.MulLimit[n] + 1, -events.MulLimit[n], -events.MulLimit[n] - 1} {
				check(v, n)
			}
		}
		for range 2000 {
			v := int64(rng.Uint64() >> uint(rng.IntN(64)))
			if rng.IntN(2) == 0 {
				v = -v
			}
			check(v, n)
		}
	}
}

// TestFixedAdd checks exact addition across scales, normalisation of the
// sum and the overflow report.
func TestFixedAdd(t *testing.T) {
	tests := []struct {
		a, b string
		want string // "" when the sum does not fit
	}{
		{"1.5", "2.25", "3.75"},
		{"0.1", "-0.1", "0"},
		{"1.25", "0.75", "2"},
		{"-3", "0.001", "-2.999"},
		{"9223372036854775807", "1", ""},
		{"922337203685477580.7", "0.01", ""},
		{"0.000000000000000001", "1000000000", ""},
	}
	for _, tc := range tests {
		got, ok := events.MustFixed(tc.a).Add(events.MustFixed(tc.b))
		if tc.want == "" {
			if ok {
				t.Errorf("%s + %s = %s, want an overflow", tc.a, tc.b, got)
			}
			continue
		}
		if !ok || got != events.MustFixed(tc.want) {
			t.Errorf("%s + %s = %s, %v; want %s", tc.a, tc.b, got, ok, tc.want)
		}
	}
}
