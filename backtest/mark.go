package backtest

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"time"
	"unsafe"

	"github.com/shopspring/decimal"
)

// marker marks the portfolio and the buy-and-hold benchmark to market.
// It runs at every distinct bar close time and at every entry, so it must
// not allocate per call beyond the decimals it returns.
//
// Representation and exactness. A decimal.Decimal is coefficient × 10^exp
// with a big.Int coefficient; its Add rescales both operands to the smaller
// exponent (multiplying by a power of ten, exact) and adds the
// coefficients, and its Mul multiplies the coefficients and adds the
// exponents. The marker performs those very integer operations, in the
// same order and with the same exponents, but into big.Int values it owns
// and reuses (a big.Int keeps its word slice across Set/Mul/Add, so after
// the first few calls nothing is allocated). The coefficients it reads
// (cash, quantities, benchmark units, the benchmark allocation) are
// captured once when they change (at a fill, or when a symbol starts), and
// a mark (an events.Fixed) is its int64 coefficient with exponent −scale,
// exactly what Fixed.Decimal builds. So each result has the coefficient and
// the exponent that the straightforward decimal expression
//
//	posValue = Σ qty × mark           (from decimal.Zero)
//	equity   = cash + posValue
//	bench    = (Σ units × mark, or alloc before a symbol starts).Round(8)
//
// gives, and converting it with decimal.NewFromBigInt yields an equal
// decimal with the same exponent (TestMarkerMatchesDecimal checks this on
// random books). No float64 is involved.
type marker struct {
	pv, eq, bench, term, mk big.Int
	pvExp, eqExp, benchExp  int32
	lastBench               decimal.Decimal // the previous benchmark point, reused when unchanged
	lastV                   big.Int         // the previous benchmark's coefficient (exponent lastExp)
	lastExp                 int32
	haveLast                bool    // lastV, lastExp and lastBenchF hold the previous benchmark
	lastDec                 bool    // lastBench is lastV × 10^lastExp (built lazily)
	lastBenchF              float64 // the previous benchmark as float64
	eqF, benchF             float64 // the last point's equity and benchmark as float64

	q, r   big.Int // digit scratch
	digits []byte
	fbuf   []byte // float text scratch

	// eqDigits are the decimal digits of the last exposed point's equity
	// coefficient (m.eq), computed once for both its float and its text.
	eqDigits []byte
	// cashText and cashF are the text and float of the cash, whose value
	// changes only at a fill (cashOK false): the equity of a flat book
	// is the cash, so a flat point reuses them.
	cashText []byte
	cashF    float64
	cashOK   bool
}

// reset forgets the previous benchmark and cash (for a portfolio reset);
// everything else in m is scratch, written before it is read.
func (m *marker) reset() {
	m.haveLast, m.lastDec, m.cashOK = false, false, false
	m.lastBench, m.lastBenchF, m.eqF, m.benchF, m.cashF = decimal.Decimal{}, 0, 0, 0, 0
}

// equityFloat sets m.eqF to the equity of the point that m.positions just
// computed, and leaves what appendPoint needs: the cash's text and float
// when flat (the equity is then the cash: same value, so same text and
// float), the equity's digits when exposed.
func (m *marker) equityFloat(p *portfolio, exposed bool) {
	if !m.cashOK {
		m.cashText = m.appendDec(m.cashText[:0], p.cashC, p.cashExp)
		m.cashF = m.float(p.cashC, p.cashExp)
		m.cashOK = true
	}
	if !exposed {
		m.eqF = m.cashF
		return
	}
	m.eqDigits = m.appendDigits(m.eqDigits[:0], &m.eq)
	m.eqF = m.floatDigits(m.eqDigits, &m.eq, m.eqExp)
}

// pow10Big are 10^0 … 10^63; larger powers are computed (and allocated).
var pow10Big = func() [64]*big.Int {
	var t [64]*big.Int
	t[0] = big.NewInt(1)
	for i := 1; i < len(t); i++ {
		t[i] = new(big.Int).Mul(t[i-1], big.NewInt(10))
	}
	return t
}()

var bigFive = big.NewInt(5)

func pow10BigInt(n int32) *big.Int {
	if n < int32(len(pow10Big)) {
		return pow10Big[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// addScaled adds c × 10^e to the accumulator acc × 10^*exp exactly as
// decimal.Decimal.Add does: both are brought to the smaller exponent.
// tmp is scratch space (not c or acc).
func addScaled(acc *big.Int, exp *int32, c *big.Int, e int32, tmp *big.Int) {
	switch {
	case e == *exp:
		acc.Add(acc, c)
	case e < *exp:
		tmp.Mul(acc, pow10BigInt(*exp-e)) // not in place: an aliased Mul allocates
		*exp = e
		acc.Add(tmp, c)
	default:
		tmp.Mul(c, pow10BigInt(e-*exp))
		acc.Add(acc, tmp)
	}
}

// coefOf returns d's coefficient and exponent as a private copy.
func coefOf(d decimal.Decimal) (*big.Int, int32) { return d.Coefficient(), d.Exponent() }

// positions computes m.pv (Σ qty × mark over open positions) and m.eq
// (cash + that); it reports whether any position is open.
func (m *marker) positions(p *portfolio) (exposed bool) {
	m.pv.SetInt64(0)
	m.pvExp = 0 // decimal.Zero
	for _, h := range p.hold {
		if h.dir() == 0 {
			continue
		}
		exposed = true
		m.mk.SetInt64(h.mark.Coef())
		m.term.Mul(h.qtyC, &m.mk)
		e := h.qtyExp - int32(h.mark.Scale())
		addScaled(&m.pv, &m.pvExp, &m.term, e, &m.mk)
	}
	m.eq.Set(p.cashC)
	m.eqExp = p.cashExp
	addScaled(&m.eq, &m.eqExp, &m.pv, m.pvExp, &m.term)
	return exposed
}

// equity is cash plus every position marked at its last close, and the
// position value alone.
func (m *marker) equity(p *portfolio) (eq, posValue decimal.Decimal) {
	if !m.positions(p) {
		return m.flatEquity(p), decimal.Zero
	}
	return decimal.NewFromBigInt(&m.eq, m.eqExp), decimal.NewFromBigInt(&m.pv, m.pvExp)
}

// equityOnly is equity without the position value.
func (m *marker) equityOnly(p *portfolio) decimal.Decimal {
	if !m.positions(p) {
		return m.flatEquity(p)
	}
	return decimal.NewFromBigInt(&m.eq, m.eqExp)
}

// flatEquity is cash.Add(decimal.Zero) without a copy when the result
// would equal p.cash, coefficient and exponent.
func (m *marker) flatEquity(p *portfolio) decimal.Decimal {
	if p.cashExp <= 0 {
		return p.cashDec()
	}
	return decimal.NewFromBigInt(&m.eq, m.eqExp)
}

// benchmark computes the buy-and-hold value at the current marks, rounded
// to 8 places as decimal.Decimal.Round(8) does (truncate to 9 places, add
// ±5, truncate the last digit).
func (m *marker) benchmark(p *portfolio, alloc *big.Int, allocExp int32) decimal.Decimal {
	m.benchValue(p, alloc, allocExp)
	if !m.lastDec {
		m.lastBench, m.lastDec = decimal.NewFromBigInt(&m.lastV, m.lastExp), true
	}
	return m.lastBench
}

// benchValue computes the benchmark's coefficient (m.bench, m.benchExp),
// and when it differs from the previous one, updates lastV, lastExp and
// lastBenchF, leaving the decimal to be built on demand by benchmark.
func (m *marker) benchValue(p *portfolio, alloc *big.Int, allocExp int32) {
	if r, ok := benchFast(p); ok {
		if m.haveLast && m.lastExp == -8 && m.lastV.IsInt64() && m.lastV.Int64() == r {
			m.benchExp = -8
			return
		}
		m.bench.SetInt64(r)
		m.benchExp = -8
		m.lastV.SetInt64(r)
		m.lastExp, m.haveLast, m.lastDec = -8, true, false
		m.lastBenchF = m.float(&m.lastV, -8)
		return
	}
	m.bench.SetInt64(0)
	m.benchExp = 0 // decimal.Zero
	for _, h := range p.hold {
		if h.barsSeen == 0 || h.units.IsZero() {
			addScaled(&m.bench, &m.benchExp, alloc, allocExp, &m.term)
			continue
		}
		m.mk.SetInt64(h.mark.Coef())
		m.term.Mul(h.unitsC, &m.mk)
		e := h.unitsExp - int32(h.mark.Scale())
		addScaled(&m.bench, &m.benchExp, &m.term, e, &m.mk)
	}
	const places = 8
	if m.benchExp != -places {
		// rescale to −places−1: multiply, or divide truncating toward zero
		// (Quo is QuoRem with scratch, and nothing works in place: an
		// aliased or remainder-less division allocates.)
		if m.benchExp > -places-1 {
			m.term.Mul(&m.bench, pow10BigInt(m.benchExp+places+1))
		} else {
			m.term.QuoRem(&m.bench, pow10BigInt(-places-1-m.benchExp), &m.r)
		}
		if m.term.Sign() < 0 {
			m.mk.Sub(&m.term, bigFive)
		} else {
			m.mk.Add(&m.term, bigFive)
		}
		m.bench.QuoRem(&m.mk, pow10Big[1], &m.r)
		m.benchExp = -places
	}
	if m.haveLast && m.lastExp == m.benchExp && m.lastV.Cmp(&m.bench) == 0 {
		return
	}
	m.lastV.Set(&m.bench)
	m.lastExp, m.haveLast, m.lastDec = m.benchExp, true, false
	m.lastBenchF = m.float(&m.bench, m.benchExp)
}

// benchFast is benchValue's common case in 128-bit integer arithmetic:
// when every symbol has started with non-negative units and marks that fit
// in 64 bits, and the sum fits in 128, it returns the benchmark's
// coefficient at exponent −8 (which is where benchValue always leaves it).
// The rounded result depends only on the exact value of the sum (which it
// computes exactly, at the smallest exponent of its terms), and for a
// non-negative value truncation is the floor, so it is benchValue's
// coefficient; ok is false, and benchValue takes the big.Int path, for
// anything else (TestMarkerMatchesDecimal covers both).
func benchFast(p *portfolio) (r int64, ok bool) {
	const places = 8
	if len(p.hold) == 0 || len(p.hold) > 64 {
		return 0, false
	}
	// The smallest exponent of the terms, and the terms' factors.
	e := int32(math.MaxInt32)
	for _, h := range p.hold {
		if h.barsSeen == 0 || h.units.IsZero() || h.unitsC == nil || h.unitsC.Sign() < 0 ||
			!h.unitsC.IsUint64() || h.mark.Sign() < 0 {
			return 0, false
		}
		e = min(e, h.unitsExp-int32(h.mark.Scale()))
	}
	var hi, lo uint64 // the sum at exponent e
	for _, h := range p.hold {
		th, tl := bits.Mul64(h.unitsC.Uint64(), uint64(h.mark.Coef()))
		var ok bool
		if th, tl, ok = mul128(th, tl, h.unitsExp-int32(h.mark.Scale())-e); !ok {
			return 0, false
		}
		var c uint64
		lo, c = bits.Add64(lo, tl, 0)
		hi, c = bits.Add64(hi, th, c)
		if c != 0 {
			return 0, false
		}
	}
	switch {
	case e == -places:
	case e > -places: // exact: no digits below the 8th place
		if hi, lo, ok = mul128(hi, lo, e+places); !ok {
			return 0, false
		}
	default: // truncate to 9 places, add 5, truncate the 9th
		for k := -places - 1 - e; k > 0; k -= 19 {
			hi, lo = div128(hi, lo, pow10u[min(k, 19)])
		}
		var c uint64
		lo, c = bits.Add64(lo, 5, 0)
		hi += c
		hi, lo = div128(hi, lo, 10)
	}
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// pow10u are 10^0 … 10^19.
var pow10u = func() [20]uint64 {
	var t [20]uint64
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// mul128 returns (hi, lo) × 10^k, or ok false when it overflows 128 bits.
func mul128(hi, lo uint64, k int32) (uint64, uint64, bool) {
	for ; k > 0; k -= 19 {
		f := pow10u[min(k, 19)]
		h1, l := bits.Mul64(lo, f)
		h2, h := bits.Mul64(hi, f)
		var c uint64
		h, c = bits.Add64(h, h1, 0)
		if h2 != 0 || c != 0 {
			return 0, 0, false
		}
		hi, lo = h, l
	}
	return hi, lo, true
}

// divRem128 returns (hi, lo) / d, truncated, and the remainder.
func divRem128(hi, lo, d uint64) (qh, ql, r uint64) {
	qh = hi / d
	ql, r = bits.Div64(hi%d, lo, d)
	return qh, ql, r
}

// div128 returns (hi, lo) / d, truncated.
func div128(hi, lo, d uint64) (uint64, uint64) {
	qh := hi / d
	ql, _ := bits.Div64(hi%d, lo, d)
	return qh, ql
}

// point marks the portfolio and the benchmark at close time t. It also
// leaves the equity and benchmark as float64 in p.mk.eqF and benchF, and
// the marker holds their coefficients for appendPoint until the next call.
func (p *portfolio) point(t time.Time) EquityPoint {
	m := &p.mk
	exposed := m.positions(p)
	eq, pv := m.flatEquity(p), decimal.Zero
	if exposed {
		eq, pv = decimal.NewFromBigInt(&m.eq, m.eqExp), decimal.NewFromBigInt(&m.pv, m.pvExp)
	}
	bench := m.benchmark(p, p.allocC, p.allocExp)
	m.equityFloat(p, exposed)
	m.benchF = m.lastBenchF
	return EquityPoint{Time: t, Equity: eq, Cash: p.cashDec(), PositionValue: pv, Benchmark: bench, Exposed: exposed}
}

// pointLean is point without the decimals: it returns only the time and
// Exposed, and leaves the same floats and coefficients behind (for
// appendPoint, which therefore writes the same line). Sweeps use it for
// all points but the last, whose decimals the metrics read.
func (p *portfolio) pointLean(t time.Time) EquityPoint {
	m := &p.mk
	exposed, ok := m.leanEquity(p)
	if !ok {
		exposed = m.positions(p)
		m.equityFloat(p, exposed)
	}
	m.benchValue(p, p.allocC, p.allocExp)
	m.benchF = m.lastBenchF
	return EquityPoint{Time: t, Exposed: exposed}
}

// leanEquity is what pointLean needs of positions and equityFloat (the
// equity's float in m.eqF, and for appendPoint its digits in m.eqDigits at
// exponent m.eqExp, or the cash's text when flat), computed in 128-bit
// integers when the book allows: a flat book (the equity is the cash), or
// a long-only one with non-negative cash whose sum fits. The digits and
// the float depend only on the equity's value, which it computes exactly
// (at the smallest exponent of its terms), so they are equityFloat's. ok
// is false, with nothing computed, otherwise. TestPointLeanMatchesPoint
// checks it against point.
func (m *marker) leanEquity(p *portfolio) (exposed, ok bool) {
	for _, h := range p.hold {
		if h.dir() != 0 {
			exposed = true
			break
		}
	}
	if !exposed {
		m.equityFloat(p, false) // m.eq is not needed: the equity is the cash
		return false, true
	}
	w := p.cashC.Bits()
	if bits.UintSize != 64 || p.cashC.Sign() < 0 || len(w) > 2 {
		return true, false
	}
	e := p.cashExp
	for _, h := range p.hold {
		if d := h.dir(); d != 0 {
			if d < 0 || h.mark.Sign() < 0 || !h.qtyC.IsUint64() {
				return true, false
			}
			e = min(e, h.qtyExp-int32(h.mark.Scale()))
		}
	}
	var hi, lo uint64
	if len(w) > 0 {
		lo = uint64(w[0])
	}
	if len(w) > 1 {
		hi = uint64(w[1])
	}
	hi, lo, ok = mul128(hi, lo, p.cashExp-e)
	if !ok {
		return true, false
	}
	for _, h := range p.hold {
		if h.dir() == 0 {
			continue
		}
		th, tl := bits.Mul64(h.qtyC.Uint64(), uint64(h.mark.Coef()))
		if th, tl, ok = mul128(th, tl, h.qtyExp-int32(h.mark.Scale())-e); !ok {
			return true, false
		}
		var c uint64
		lo, c = bits.Add64(lo, tl, 0)
		hi, c = bits.Add64(hi, th, c)
		if c != 0 {
			return true, false
		}
	}
	if !m.cashOK { // appendPoint writes the cash's text
		m.cashText = m.appendDec(m.cashText[:0], p.cashC, p.cashExp)
		m.cashF = m.float(p.cashC, p.cashExp)
		m.cashOK = true
	}
	// m.eq as the big.Int of (hi, lo), for floatDigits' checks and its
	// rare fallback.
	m.eq.SetUint64(hi)
	m.eq.Lsh(&m.eq, 64)
	m.term.SetUint64(lo)
	m.eq.Or(&m.eq, &m.term)
	m.eqExp = e
	m.eqDigits = appendU128(m.eqDigits[:0], hi, lo)
	m.eqF = m.floatDigits(m.eqDigits, &m.eq, e)
	return true, true
}

// appendU128 appends the unsigned 128-bit (hi, lo) in base 10.
func appendU128(b []byte, hi, lo uint64) []byte {
	var chunks [2]uint64
	n := 0
	for hi != 0 || lo >= pow10u[19] {
		var r uint64
		hi, lo, r = divRem128(hi, lo, pow10u[19])
		chunks[n] = r
		n++
	}
	return appendChunks(strconv.AppendUint(b, lo, 10), chunks[:n])
}

// float converts c × 10^exp to the nearest float64, as toFloat (and so
// decimal.Decimal.InexactFloat64, which is correctly rounded) does for the
// same value: small exact cases divide by an exact power of ten; the rest
// parse the exact decimal text "digits e exp" with strconv.ParseFloat,
// which rounds correctly (to nearest even) for up to 800 digits, without
// allocating. Results near the ends of the float64 range, and huge
// coefficients, take the decimal path.
func (m *marker) float(c *big.Int, exp int32) float64 {
	if exp <= 0 && exp >= -22 && c.IsInt64() {
		if i := c.Int64(); i >= -1<<53 && i <= 1<<53 {
			return float64(i) / pow10s[-exp]
		}
	}
	m.digits = m.appendDigits(m.digits[:0], c)
	return m.floatDigits(m.digits, c, exp)
}

// floatDigits is float given digits, c's text as appendDigits writes it.
func (m *marker) floatDigits(digits []byte, c *big.Int, exp int32) float64 {
	if exp <= 0 && exp >= -22 && c.IsInt64() {
		if i := c.Int64(); i >= -1<<53 && i <= 1<<53 {
			return float64(i) / pow10s[-exp]
		}
	}
	if len(digits) <= 700 && exp > -5000 && exp < 5000 {
		m.fbuf = append(m.fbuf[:0], digits...)
		m.fbuf = append(m.fbuf, 'e')
		m.fbuf = strconv.AppendInt(m.fbuf, int64(exp), 10)
		// The string aliases fbuf only for the call (the error, which
		// would keep it, is dropped).
		f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(m.fbuf), len(m.fbuf)), 64)
		if a := math.Abs(f); err == nil && ((a == 0 && c.Sign() == 0) || (a >= 0x1p-1000 && a <= 0x1p1000)) {
			return f
		}
	}
	return decimal.NewFromBigInt(c, exp).InexactFloat64()
}

// appendDec appends the text of c × 10^exp exactly as
// decimal.Decimal.String renders that value (plain notation, trailing
// fractional zeros trimmed), without allocating for coefficients below
// 10^152.
func (m *marker) appendDec(b []byte, c *big.Int, exp int32) []byte {
	m.digits = m.appendDigits(m.digits[:0], c)
	return appendDecDigits(b, m.digits, exp)
}

// appendDecDigits is appendDec given str, the coefficient's text as
// appendDigits writes it.
func appendDecDigits(b, str []byte, exp int32) []byte {
	if exp == 0 {
		return append(b, str...)
	}
	if exp > 0 {
		b = append(b, str...)
		if len(str) != 1 || str[0] != '0' {
			for range exp {
				b = append(b, '0')
			}
		}
		return b
	}
	if str[0] == '-' {
		b, str = append(b, '-'), str[1:]
	}
	n := int(-exp)
	var intPart, frac []byte
	lead := 0
	if len(str) > n {
		intPart, frac = str[:len(str)-n], str[len(str)-n:]
	} else {
		intPart, lead, frac = []byte{'0'}, n-len(str), str
	}
	i := len(frac) - 1
	for ; i >= 0 && frac[i] == '0'; i-- {
	}
	frac = frac[:i+1]
	if len(frac) == 0 {
		lead = 0
	}
	b = append(b, intPart...)
	if lead+len(frac) > 0 {
		b = append(b, '.')
		for range lead {
			b = append(b, '0')
		}
		b = append(b, frac...)
	}
	return b
}

// appendDigits appends c in base 10 (with a leading '-' when negative),
// 19 digits at a time through scratch space.
func (m *marker) appendDigits(b []byte, c *big.Int) []byte {
	if c.IsInt64() {
		return strconv.AppendInt(b, c.Int64(), 10)
	}
	if c.Sign() < 0 {
		b = append(b, '-')
	}
	var chunks [8]uint64
	n := 0
	if w := c.Bits(); bits.UintSize == 64 && len(w) <= 2 {
		// Up to 128 bits (a marked equity usually is): 19 digits at a
		// time by 128-by-64-bit division, without math/big.
		hi, lo := uint64(0), uint64(w[0])
		if len(w) == 2 {
			hi = uint64(w[1])
		}
		return appendU128(b, hi, lo)
	}
	m.q.Abs(c)
	for !m.q.IsUint64() {
		if n == len(chunks) {
			return m.q.Abs(c).Append(b, 10) // huge: let math/big format it
		}
		m.q.QuoRem(&m.q, pow10Big[19], &m.r)
		chunks[n] = m.r.Uint64()
		n++
	}
	return appendChunks(strconv.AppendUint(b, m.q.Uint64(), 10), chunks[:n])
}

// appendChunks appends chunks, least significant first, as 19 digits
// each (with leading zeros), most significant first.
func appendChunks(b []byte, chunks []uint64) []byte {
	for n := len(chunks); n > 0; {
		n--
		var tmp [19]byte
		v := chunks[n]
		for i := len(tmp) - 1; i >= 0; i-- {
			tmp[i] = byte('0' + v%10)
			v /= 10
		}
		b = append(b, tmp[:]...)
	}
	return b
}

// appendPoint appends the fingerprint line of the point that p.point just
// returned: "time equity cash benchmark\n", the decimals as String renders
// them.
func (p *portfolio) appendPoint(b []byte, pt *EquityPoint) []byte {
	m := &p.mk
	b = strconv.AppendInt(b, pt.Time.UnixNano(), 10)
	b = append(b, ' ')
	if pt.Exposed {
		b = appendDecDigits(b, m.eqDigits, m.eqExp)
	} else {
		b = append(b, m.cashText...) // the equity is the cash
	}
	b = append(b, ' ')
	b = append(b, m.cashText...)
	b = append(b, ' ')
	b = m.appendDec(b, &m.lastV, m.benchExp)
	return append(b, '\n')
}
