package backtest

import (
	"math/big"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/events"
)

// xdec is an exact decimal, c × 10^e, like a decimal.Decimal but with a
// coefficient the owner keeps and reuses: the portfolio's fills, stops and
// trades are computed in xdecs held by the portfolio and its holdings, so
// that a trade allocates only the decimals it records (see [calc]). The
// zero value is 0 (exponent 0, as decimal.Zero). A xdec must not be copied
// after use (it holds a big.Int).
type xdec struct {
	c big.Int
	e int32
}

// dec returns n as a decimal.Decimal (a copy): same coefficient, same
// exponent.
func (n *xdec) dec() decimal.Decimal { return decimal.NewFromBigInt(&n.c, n.e) }

func (n *xdec) sign() int { return n.c.Sign() }

// setZero sets n to decimal.Zero.
func (n *xdec) setZero() { n.c.SetInt64(0); n.e = 0 }

// setFixed sets n to f.Decimal(): coefficient f.Coef(), exponent −scale.
func (n *xdec) setFixed(f events.Fixed) { n.c.SetInt64(f.Coef()); n.e = -int32(f.Scale()) }

// setDec sets n to d, coefficient and exponent. It allocates (a decimal
// gives its coefficient only as a copy), so it is for set-up, not per
// trade.
func (n *xdec) setDec(d decimal.Decimal) { n.c.Set(d.Coefficient()); n.e = d.Exponent() }

// set sets n to x.
func (n *xdec) set(x *xdec) { n.c.Set(&x.c); n.e = x.e }

// calc performs decimal.Decimal's operations on xdecs, in place and with
// the same results, coefficient and exponent both, as the decimal method
// named in each comment (decimal v1.6.0's rules: Add and Sub rescale the
// operand with the larger exponent down to the smaller one by an exact
// multiplication by a power of ten; Mul multiplies the coefficients and
// adds the exponents; QuoRem truncates at a given precision; DivRound
// rounds half away from zero). Everything is integer arithmetic on
// big.Int, so it is exact whatever the size; the point is only that
// nothing is allocated once the big.Ints have grown to the sizes a run
// needs. TestCalcMatchesDecimal checks every operation against the
// decimal method on random operands. Not safe for concurrent use: t and r
// are scratch space. Operands may alias the destination.
type calc struct{ t, u, r big.Int }

// add sets z = x.Add(y).
func (k *calc) add(z, x, y *xdec) { k.addSub(z, x, y, (*big.Int).Add) }

// sub sets z = x.Sub(y).
func (k *calc) sub(z, x, y *xdec) { k.addSub(z, x, y, (*big.Int).Sub) }

// addSub sets z = op(x, y) for op big.Int's Add or Sub, with both
// operands brought to the smaller exponent (the larger one's coefficient
// scaled in scratch).
func (k *calc) addSub(z, x, y *xdec, op func(z, x, y *big.Int) *big.Int) {
	switch {
	case x.e == y.e:
		op(&z.c, &x.c, &y.c)
		z.e = x.e
	case x.e < y.e:
		k.t.Mul(&y.c, pow10BigInt(y.e-x.e))
		op(&z.c, &x.c, &k.t)
		z.e = x.e
	default:
		k.t.Mul(&x.c, pow10BigInt(x.e-y.e))
		op(&z.c, &k.t, &y.c)
		z.e = y.e
	}
}

// mul sets z = x.Mul(y). (big.Int.Mul allocates when z aliases an
// operand, so the product goes through scratch.)
func (k *calc) mul(z, x, y *xdec) {
	k.t.Mul(&x.c, &y.c)
	z.c.Set(&k.t)
	z.e = x.e + y.e
}

// mulInt sets z = x.Mul(decimal.NewFromInt(i)).
func (k *calc) mulInt(z, x *xdec, i int64) {
	k.u.SetInt64(i)
	k.t.Mul(&x.c, &k.u)
	z.c.Set(&k.t)
	z.e = x.e
}

// cmp is x.Cmp(y).
func (k *calc) cmp(x, y *xdec) int { return k.cmpCE(&x.c, x.e, &y.c, y.e) }

// cmpCE compares xc × 10^xe with yc × 10^ye.
func (k *calc) cmpCE(xc *big.Int, xe int32, yc *big.Int, ye int32) int {
	switch {
	case xe == ye:
		return xc.Cmp(yc)
	case xe < ye:
		k.t.Mul(yc, pow10BigInt(ye-xe))
		return xc.Cmp(&k.t)
	default:
		k.t.Mul(xc, pow10BigInt(xe-ye))
		return k.t.Cmp(yc)
	}
}

// quoRem computes x.QuoRem(y, prec): it sets z to the quotient and leaves
// the remainder's coefficient in k.r and the divisor it was taken against
// in k.u (for divRound). y must not be zero and z must not alias y.
func (k *calc) quoRem(z, x, y *xdec, prec int32) {
	scale := -prec
	e := int64(x.e) - int64(y.e) - int64(scale)
	if e < 0 {
		k.u.Mul(&y.c, pow10BigInt(int32(-e)))
		k.t.Set(&x.c)
	} else {
		k.t.Mul(&x.c, pow10BigInt(int32(e)))
		k.u.Set(&y.c)
	}
	z.c.QuoRem(&k.t, &k.u, &k.r)
	z.e = scale
}

// divRound sets z = x.DivRound(y, prec). y must not be zero and z must not
// alias x or y.
func (k *calc) divRound(z, x, y *xdec, prec int32) {
	k.quoRem(z, x, y, prec)
	k.r.Abs(&k.r)
	k.r.Lsh(&k.r, 1)
	if k.r.CmpAbs(&k.u) < 0 {
		return
	}
	if x.c.Sign()*y.c.Sign() < 0 {
		k.t.SetInt64(1)
		z.c.Sub(&z.c, &k.t)
	} else {
		k.t.SetInt64(1)
		z.c.Add(&z.c, &k.t)
	}
}
