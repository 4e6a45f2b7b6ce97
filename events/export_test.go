package events

// Test hooks: the checked decoders, so tests can check that the fast path
// accepts exactly what they accept.
var (
	DecodeBarChecked   = decodeBarChecked
	DecodeTradeChecked = decodeTradeChecked
)
