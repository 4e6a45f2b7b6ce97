package events

// Test hooks: the checked decoders, so tests can check that the fast path
// accepts exactly what they accept.
var (
	DecodeBarChecked   = decodeBarChecked
	DecodeTradeChecked = decodeTradeChecked
)

// MulPow10 and MulLimit expose the checked scaling behind Fixed.Cmp and
// Fixed.Add to TestMulPow10.
var (
	MulPow10 = mulPow10
	MulLimit = mulLimit
)
