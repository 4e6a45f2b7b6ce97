package events

import (
	"errors"
	"math"
	"strconv"

	"github.com/shopspring/decimal"
)

// MaxScale is the largest number of fractional digits a [Fixed] holds.
const MaxScale = 18

// Fixed is an exact decimal number, coef × 10^-scale, kept in a form that costs
// no allocation to copy, compare or decode (a shopspring/decimal.Decimal holds a
// *big.Int, so a Bar of seven of them would allocate seven times on the hot
// path). It converts losslessly to and from decimal.Decimal for anything that
// fits: a coefficient of at most 19 digits and at most [MaxScale] fractional
// digits, which covers every price and quantity exchanges publish.
//
// A Fixed is always normalised (no trailing fractional zeros), so two Fixed
// values are equal as numbers exactly when they are equal with ==. The zero
// value is the number 0. Fixed is a value type and safe for concurrent use.
type Fixed struct {
	coef  int64
	scale uint8
}

// Errors returned when parsing or converting a Fixed.
var (
	// ErrNotNumber is returned by ParseFixed for text that is not a decimal
	// number (including NaN and Inf, which have no place in a price).
	ErrNotNumber = errors.New("events: not a decimal number")
	// ErrFixedRange is returned when a number needs more than 19 significant
	// digits or more than MaxScale fractional digits.
	ErrFixedRange = errors.New("events: decimal out of range")
)

var pow10i = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

var pow10f = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// NewFixed returns coef × 10^-scale, normalised. It returns ErrFixedRange for a
// scale above MaxScale.
func NewFixed(coef int64, scale int) (Fixed, error) {
	if scale < 0 || scale > MaxScale {
		return Fixed{}, ErrFixedRange
	}
	return normalise(coef, scale), nil
}

// FixedFromInt returns the integer n as a Fixed.
func FixedFromInt(n int64) Fixed { return Fixed{coef: n} }

func normalise(coef int64, scale int) Fixed {
	if coef == 0 {
		return Fixed{}
	}
	for scale > 0 && coef%10 == 0 {
		coef /= 10
		scale--
	}
	return Fixed{coef: coef, scale: uint8(scale)}
}

// ParseFixed parses a decimal number: an optional sign, digits with an optional
// decimal point, and an optional exponent ("1.5", "-0.00001234", "1.234e-05",
// "42"). The result is exactly the number written; no binary floating point is
// involved. It allocates nothing.
func ParseFixed(s string) (Fixed, error) { return parseFixed(s) }

// parseFixed is ParseFixed for text in a string or a byte slice, so that the
// JSON decoder parses in place without converting (and allocating).
func parseFixed[S ~string | ~[]byte](s S) (Fixed, error) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var coef uint64
	digits, scale := 0, 0
	sawDigit, sawPoint := false, false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if sawPoint {
				return Fixed{}, ErrNotNumber
			}
			sawPoint = true
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		sawDigit = true
		if coef == 0 && c == '0' {
			// Leading zeros carry no digits but still count as fraction places.
			if sawPoint {
				scale++
			}
			continue
		}
		if digits >= 19 {
			// Past 19 significant digits only zeros can be kept exactly:
			// fractional ones carry no value, integer ones shift the scale.
			if c != '0' {
				return Fixed{}, ErrFixedRange
			}
			if !sawPoint {
				scale--
			}
			continue
		}
		coef = coef*10 + uint64(c-'0')
		digits++
		if sawPoint {
			scale++
		}
	}
	if !sawDigit {
		return Fixed{}, ErrNotNumber
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		start := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			// Saturate rather than fail: "0e99999" is still zero, and any
			// non-zero coefficient with so large an exponent is out of range
			// in scaleBy anyway.
			if exp < 1_000_000 {
				exp = exp*10 + int(s[i]-'0')
			}
		}
		if i == start {
			return Fixed{}, ErrNotNumber
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return Fixed{}, ErrNotNumber
	}
	// The magnitude of MinInt64 is one more than MaxInt64, and String writes
	// it, so the parser must read it back.
	if coef > math.MaxInt64 && !(neg && coef == 1<<63) {
		return Fixed{}, ErrFixedRange
	}
	c := int64(coef)
	if neg {
		c = -c // for 1<<63 this wraps to MinInt64, which is the intent
	}
	return scaleBy(c, scale-exp)
}

// scaleBy returns coef × 10^-scale for any integer scale, normalised.
func scaleBy(coef int64, scale int) (Fixed, error) {
	if coef == 0 {
		return Fixed{}, nil
	}
	for scale > 0 && coef%10 == 0 {
		coef /= 10
		scale--
	}
	for scale < 0 {
		if coef > math.MaxInt64/10 || coef < math.MinInt64/10 {
			return Fixed{}, ErrFixedRange
		}
		coef *= 10
		scale++
	}
	if scale > MaxScale {
		return Fixed{}, ErrFixedRange
	}
	return Fixed{coef: coef, scale: uint8(scale)}, nil
}

// MustFixed is ParseFixed for constants in tests and examples; it panics on error.
func MustFixed(s string) Fixed {
	f, err := ParseFixed(s)
	if err != nil {
		panic("events.MustFixed(" + strconv.Quote(s) + "): " + err.Error())
	}
	return f
}

// Coef returns the coefficient: the number is Coef() × 10^-Scale().
func (f Fixed) Coef() int64 { return f.coef }

// Scale returns the number of fractional digits (0..MaxScale).
func (f Fixed) Scale() int { return int(f.scale) }

// IsZero reports whether f is 0.
func (f Fixed) IsZero() bool { return f.coef == 0 }

// Sign returns -1, 0 or +1.
func (f Fixed) Sign() int {
	switch {
	case f.coef < 0:
		return -1
	case f.coef > 0:
		return 1
	}
	return 0
}

// Cmp compares f and g as numbers: -1 if f < g, 0 if equal, +1 if f > g.
func (f Fixed) Cmp(g Fixed) int {
	a, b := f.coef, g.coef
	if f.scale != g.scale {
		// Bring both to the larger scale (one table multiplication; prices
		// of one bar often differ in scale, as trailing zeros are dropped);
		// on overflow compare the slow way.
		var ok bool
		if f.scale < g.scale {
			a, ok = mulPow10(a, int(g.scale-f.scale))
		} else {
			b, ok = mulPow10(b, int(f.scale-g.scale))
		}
		if !ok {
			return f.cmpSlow(g)
		}
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpSlow is Cmp for values of different scales whose coefficients cannot
// be brought to one scale in int64.
func (f Fixed) cmpSlow(g Fixed) int {
	if fs, gs := f.Sign(), g.Sign(); fs != gs {
		if fs < gs {
			return -1
		}
		return 1
	}
	return f.Decimal().Cmp(g.Decimal())
}

// Add returns f+g exactly, and false when the sum does not fit a Fixed (its
// coefficient would overflow int64 at the larger of the two scales).
func (f Fixed) Add(g Fixed) (Fixed, bool) {
	ac, as := f.coef, int(f.scale)
	bc, bs := g.coef, int(g.scale)
	var ok bool
	if as < bs {
		if ac, ok = mulPow10(ac, bs-as); !ok {
			return Fixed{}, false
		}
		as = bs
	} else if bs < as {
		if bc, ok = mulPow10(bc, as-bs); !ok {
			return Fixed{}, false
		}
	}
	sum := ac + bc
	if (sum > ac) != (bc > 0) {
		return Fixed{}, false
	}
	r, err := NewFixed(sum, as)
	return r, err == nil
}

func mulPow10(v int64, n int) (int64, bool) {
	// One multiplication against a table rather than n steps: the loop of n
	// checked steps (|v| <= MaxInt64/10 before each) succeeds exactly when
	// |v| <= MaxInt64/10^n, by nested floor division (and MinInt64/10^n
	// truncates to the same bound's negation for n >= 1).
	if n <= 0 || v == 0 {
		return v, true
	}
	if n >= len(mulLimit) {
		return 0, false
	}
	if lim := mulLimit[n]; v > lim || v < -lim {
		return 0, false
	}
	return v * pow10i[n], true
}

// mulLimit[n] is the largest |v| with v·10^n in int64 (read-only).
var mulLimit = func() (l [len(pow10i)]int64) {
	for n := range l {
		l[n] = math.MaxInt64 / pow10i[n]
	}
	return l
}()

// Float64 returns the float64 nearest to f (correctly rounded, as
// strconv.ParseFloat of f.String() would give). Indicator math uses it.
// The common case is small enough to inline.
func (f Fixed) Float64() float64 {
	const exact = 1 << 53
	if f.coef <= exact && f.coef >= -exact {
		// Both operands are exact in float64, and IEEE division rounds
		// correctly, so this equals parsing the decimal text (a scale of 0
		// divides by 1, exactly).
		return float64(f.coef) / pow10f[f.scale]
	}
	return f.float64Slow()
}

// float64Slow is Float64 of a coefficient beyond 2^53, through the text.
func (f Fixed) float64Slow() float64 {
	v, _ := strconv.ParseFloat(f.String(), 64)
	return v
}

// Decimal returns f as a shopspring decimal, exactly.
func (f Fixed) Decimal() decimal.Decimal { return decimal.New(f.coef, -int32(f.scale)) }

// FixedFromDecimal converts d exactly, or returns ErrFixedRange when d does not
// fit (more than 19 significant digits or more than MaxScale fractional digits).
func FixedFromDecimal(d decimal.Decimal) (Fixed, error) {
	c := d.Coefficient()
	if !c.IsInt64() {
		// The coefficient may carry trailing zeros a normalised form drops.
		n := d.Normalize()
		c = n.Coefficient()
		if !c.IsInt64() {
			return Fixed{}, ErrFixedRange
		}
		d = n
	}
	return scaleBy(c.Int64(), -int(d.Exponent()))
}

// String returns f in plain decimal notation with no exponent and no trailing
// fractional zeros: "0.00001234", "-42", "64854.12".
func (f Fixed) String() string { return string(f.AppendText(nil)) }

// AppendText appends f.String() to b without allocating beyond b's growth.
func (f Fixed) AppendText(b []byte) []byte {
	if f.scale == 0 {
		return strconv.AppendInt(b, f.coef, 10)
	}
	var u uint64
	if f.coef < 0 {
		b = append(b, '-')
		u = uint64(-f.coef) // correct for MinInt64 too, by two's complement
	} else {
		u = uint64(f.coef)
	}
	var buf [24]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	sc := int(f.scale)
	if len(digits) <= sc {
		b = append(b, '0', '.')
		for i := len(digits); i < sc; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	b = append(b, digits[:len(digits)-sc]...)
	b = append(b, '.')
	return append(b, digits[len(digits)-sc:]...)
}

// MarshalText implements encoding.TextMarshaler.
func (f Fixed) MarshalText() ([]byte, error) { return f.AppendText(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *Fixed) UnmarshalText(b []byte) error {
	v, err := ParseFixed(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// MarshalJSON encodes f as a JSON string ("0.00001234"), so that no client
// ever reads a price through a binary float.
func (f Fixed) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 24), '"')
	b = f.AppendText(b)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts a JSON string or a JSON number, both parsed exactly.
// A JSON null leaves f unchanged, as encoding/json does for its own types.
func (f *Fixed) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	return f.UnmarshalText(b)
}
