package events

import (
	"strconv"
	"time"
)

// Stream names: the topics of Kafka and the directories of the embedded log.
// They are part of the wire contract; the ".v1" suffix changes only with an
// incompatible change of the event encoding.
const (
	StreamBars       = "market.bars.v1"
	StreamTrades     = "market.trades.v1"
	StreamSignals    = "signals.v1"
	StreamDeadLetter = "deadletter.v1"
	StreamSnapshots  = "engine.snapshots.v1"
)

// Bar is one OHLCV candle. It is available only at CloseTime (ARCHITECTURE.md,
// contract 2): OpenTime is the start of the bar and CloseTime its exclusive end,
// so CloseTime - OpenTime == Interval.
//
// QuoteVolume and TradeCount are optional: exchanges that report them set
// HasQuoteVolume / HasTradeCount. A Bar is a value; it shares no memory that
// its owner must guard, except that Symbol and Venue may share one backing
// string with other Bars decoded from the same buffer.
type Bar struct {
	Symbol    string    // canonical "BASE-QUOTE", e.g. "BTC-USDT"
	Venue     string    // exchange or source, e.g. "binance"; may be empty
	Interval  Interval  // bar length, e.g. 5m
	OpenTime  time.Time // UTC, inclusive
	CloseTime time.Time // UTC, exclusive: OpenTime + Interval
	Open      Fixed
	High      Fixed
	Low       Fixed
	Close     Fixed
	Volume    Fixed // in the base asset unless the source says otherwise

	QuoteVolume    Fixed
	HasQuoteVolume bool
	TradeCount     int64
	HasTradeCount  bool
}

// Side is the aggressor side of a trade.
type Side uint8

// Trade sides.
const (
	SideUnknown Side = iota
	SideBuy
	SideSell
)

// String returns "buy", "sell" or "unknown".
func (s Side) String() string {
	switch s {
	case SideBuy:
		return "buy"
	case SideSell:
		return "sell"
	}
	return "unknown"
}

// Trade is one executed trade as reported by a venue.
type Trade struct {
	Symbol   string
	Venue    string
	Time     time.Time // UTC execution time
	Price    Fixed
	Quantity Fixed // base asset
	Side     Side
	ID       string // the venue's trade id; may be empty
}

// Position names where an event sits in a stream: a Kafka topic, partition and
// offset, or an embedded-log stream and sequence number (Partition 0).
// Positions are part of a signal's identity (ARCHITECTURE.md, contract 4).
type Position struct {
	Stream    string `json:"stream"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
}

// SignalKind is what a signal asks for.
type SignalKind uint8

// Signal kinds.
const (
	KindLong  SignalKind = iota + 1 // open or hold a long position
	KindShort                       // open or hold a short position
	KindExit                        // close whatever is open
	KindFlat                        // no position wanted (informational)
)

// String returns "long", "short", "exit" or "flat" ("" for an invalid kind).
func (k SignalKind) String() string {
	switch k {
	case KindLong:
		return "long"
	case KindShort:
		return "short"
	case KindExit:
		return "exit"
	case KindFlat:
		return "flat"
	}
	return ""
}

// SignalStatus says whether a signal was computed on a closed bar.
type SignalStatus uint8

// Signal statuses.
const (
	StatusConfirmed   SignalStatus = iota // from a closed bar; final
	StatusProvisional                     // from a forming bar; a confirmed signal supersedes it
)

// String returns "confirmed" or "provisional".
func (s SignalStatus) String() string {
	if s == StatusProvisional {
		return "provisional"
	}
	return "confirmed"
}

// Param is one strategy parameter value as the strategy saw it. Values are
// kept as their canonical text so the parameter hash is stable.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// IndicatorValue is one indicator output a strategy saw when it decided.
type IndicatorValue struct {
	Name  string  `json:"name"` // normalised spec, e.g. "macd(12,26,9).signal"
	Value float64 `json:"value"`
}

// Signal is a strategy's decision, appended to the signal log. Its ID is
// deterministic (ARCHITECTURE.md, contract 4): replaying the same input gives
// the same ID, so a re-derived signal is recognised and not appended twice.
type Signal struct {
	ID              string           // hex hash; see the engine for its inputs
	Strategy        string           // strategy name
	StrategyVersion string           // strategy version
	ParamHash       string           // hash of Params
	Params          []Param          // in the strategy's declared order
	Symbol          string           //
	Timeframe       Interval         // the timeframe the decision was made on
	Time            time.Time        // close time of the bar that caused it
	Kind            SignalKind       //
	Strength        float64          // in [-1, 1]
	Price           Fixed            // reference price (the bar's close)
	Reason          string           // short, human readable
	Indicators      []IndicatorValue // in the strategy's declared order
	Status          SignalStatus     //
	Source          Position         // the input event that caused it
}

// DeadLetter keeps an input that could not be decoded or validated, with the
// reason, so nothing is silently dropped (ARCHITECTURE.md, contract 7).
type DeadLetter struct {
	Original []byte    // the bytes as received
	Reason   string    // what is wrong, e.g. "line 12: high 10 below close 11"
	Source   string    // where it came from: "file.csv:12" or "market.bars.v1@0:5531"
	Time     time.Time // when it was rejected (set by the edge that rejected it)
}

// ParseSide parses "buy", "sell" or "unknown" (the forms String returns).
// It returns an error wrapping [ErrMalformed] for anything else.
func ParseSide(s string) (Side, error) {
	switch s {
	case "buy":
		return SideBuy, nil
	case "sell":
		return SideSell, nil
	case "unknown":
		return SideUnknown, nil
	}
	return 0, enumError("side", s)
}

// MarshalText implements encoding.TextMarshaler with the String form. It
// returns an error for a value that is not one of the declared sides.
func (s Side) MarshalText() ([]byte, error) {
	if s > SideSell {
		return nil, enumError("side", strconv.Itoa(int(s)))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; see [ParseSide].
func (s *Side) UnmarshalText(b []byte) error {
	v, err := ParseSide(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSignalKind parses "long", "short", "exit" or "flat". It returns an
// error wrapping [ErrMalformed] for anything else.
func ParseSignalKind(s string) (SignalKind, error) {
	switch s {
	case "long":
		return KindLong, nil
	case "short":
		return KindShort, nil
	case "exit":
		return KindExit, nil
	case "flat":
		return KindFlat, nil
	}
	return 0, enumError("signal kind", s)
}

// Valid reports whether k is one of the declared kinds.
func (k SignalKind) Valid() bool { return k >= KindLong && k <= KindFlat }

// MarshalText implements encoding.TextMarshaler; an undeclared kind is an error.
func (k SignalKind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, enumError("signal kind", strconv.Itoa(int(k)))
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; see [ParseSignalKind].
func (k *SignalKind) UnmarshalText(b []byte) error {
	v, err := ParseSignalKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// ParseSignalStatus parses "confirmed" or "provisional". It returns an error
// wrapping [ErrMalformed] for anything else.
func ParseSignalStatus(s string) (SignalStatus, error) {
	switch s {
	case "confirmed":
		return StatusConfirmed, nil
	case "provisional":
		return StatusProvisional, nil
	}
	return 0, enumError("signal status", s)
}

// Valid reports whether s is one of the declared statuses.
func (s SignalStatus) Valid() bool { return s <= StatusProvisional }

// MarshalText implements encoding.TextMarshaler; an undeclared status is an error.
func (s SignalStatus) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, enumError("signal status", strconv.Itoa(int(s)))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; see [ParseSignalStatus].
func (s *SignalStatus) UnmarshalText(b []byte) error {
	v, err := ParseSignalStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

func enumError(what, got string) error {
	return &DecodeError{Field: what, Detail: "unknown value " + strconv.Quote(got), Err: ErrMalformed}
}
