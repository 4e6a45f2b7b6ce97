package feeds

import (
	"fmt"
	"strings"
)

// role is what a column (or JSON key) holds.
type role uint8

const (
	roleNone role = iota
	roleTime
	roleEnd
	roleOpen
	roleHigh
	roleLow
	roleClose
	roleVolume
	roleQuoteVolume
	roleTrades
	roleSymbol
	roleVenue
	roleInterval
	numRoles
)

var roleNames = [numRoles]string{"", "time", "end_time", "open", "high", "low", "close",
	"volume", "quote_volume", "trades", "symbol", "venue", "interval"}

func (r role) String() string { return roleNames[r] }

// aliases maps a normalised column name (lower case, letters and digits only)
// to its role and a priority: when several columns claim one role (a
// CryptoDataDownload file with both "unix" and "date"), the highest wins.
var aliases = map[string]struct {
	r    role
	prio int
}{
	"opentime": {roleTime, 9}, "timestamp": {roleTime, 8}, "unix": {roleTime, 7},
	"unixtime": {roleTime, 7}, "start": {roleTime, 6}, "starttime": {roleTime, 6},
	"time": {roleTime, 5}, "timeopen": {roleTime, 5}, "datetime": {roleTime, 4},
	"date": {roleTime, 3}, "ts": {roleTime, 2}, "t": {roleTime, 1}, "periodstart": {roleTime, 1},
	"endtime": {roleEnd, 5}, "closetime": {roleEnd, 4}, "end": {roleEnd, 3},
	"timeclose": {roleEnd, 2}, "periodend": {roleEnd, 1},
	"open": {roleOpen, 3}, "openprice": {roleOpen, 2}, "o": {roleOpen, 1},
	"high": {roleHigh, 3}, "highprice": {roleHigh, 2}, "h": {roleHigh, 1},
	"low": {roleLow, 3}, "lowprice": {roleLow, 2}, "l": {roleLow, 1},
	"close": {roleClose, 3}, "closeprice": {roleClose, 2}, "c": {roleClose, 1},
	"volume": {roleVolume, 3}, "basevolume": {roleVolume, 2}, "volumebase": {roleVolume, 2},
	"vol": {roleVolume, 1}, "v": {roleVolume, 1},
	"quotevolume": {roleQuoteVolume, 3}, "quoteassetvolume": {roleQuoteVolume, 2},
	"volumequote": {roleQuoteVolume, 2}, "quotevol": {roleQuoteVolume, 1},
	"trades": {roleTrades, 3}, "tradecount": {roleTrades, 3}, "count": {roleTrades, 2},
	"numberoftrades": {roleTrades, 2}, "numtrades": {roleTrades, 2}, "n": {roleTrades, 1},
	"symbol": {roleSymbol, 3}, "pair": {roleSymbol, 2}, "ticker": {roleSymbol, 2},
	"instrument": {roleSymbol, 1}, "product": {roleSymbol, 1}, "productid": {roleSymbol, 1},
	"venue": {roleVenue, 2}, "exchange": {roleVenue, 1},
	"interval": {roleInterval, 2}, "timeframe": {roleInterval, 1},
}

func normName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 32)
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// layout maps record fields to roles. For a wide file it has one group per
// coin; otherwise exactly one group with coin "".
type layout struct {
	time   int // index of the shared time column in wide files; unused otherwise
	groups []group
	names  []string // the role of each column, for Summary.Columns
}

type group struct {
	coin  string
	idx   [numRoles]int // field index per role, -1 when absent
	names [numRoles]string
}

func newGroup(coin string) group {
	g := group{coin: coin}
	for i := range g.idx {
		g.idx[i] = -1
	}
	return g
}

// layoutFromNames resolves column names (a header row or Options.Columns).
// base and quote, when known, tell "volume_btc" (base volume) from
// "volume_usd" (quote volume).
func layoutFromNames(names []string, base, quote string) (layout, error) {
	for _, n := range names {
		if i := strings.IndexByte(n, ':'); i > 0 && i < len(n)-1 {
			return wideLayout(names)
		}
	}
	g := newGroup("")
	prio := [numRoles]int{}
	var volX []int // volume<X> columns
	roles := make([]string, len(names))
	for i, n := range names {
		nn := normName(n)
		a, ok := aliases[nn]
		if !ok {
			if strings.HasPrefix(nn, "volume") && len(nn) > len("volume") {
				volX = append(volX, i)
			}
			continue
		}
		if g.idx[a.r] < 0 || a.prio > prio[a.r] {
			g.idx[a.r], g.names[a.r], prio[a.r] = i, n, a.prio
		}
	}
	// volume<X>: X = base → volume, X = quote → quote volume. With neither
	// known, the first such column is the base volume and the next the quote
	// volume (CryptoDataDownload writes "Volume BTC,Volume USDT"); a plain
	// "volume" beside a base-volume column is the quote volume
	// (CryptoDataDownload's older "volume_btc,volume" where volume is USD).
	if len(volX) > 0 {
		assignVolumes(&g, names, volX, base, quote)
	}
	for r := role(1); r < numRoles; r++ {
		if g.idx[r] >= 0 {
			roles[g.idx[r]] = r.String()
		}
	}
	var missing []string
	if g.idx[roleTime] < 0 && g.idx[roleEnd] < 0 {
		missing = append(missing, "time")
	}
	for _, r := range []role{roleOpen, roleHigh, roleLow, roleClose} {
		if g.idx[r] < 0 {
			missing = append(missing, r.String())
		}
	}
	if len(missing) > 0 {
		return layout{}, fmt.Errorf("%w: no %s column in %q", ErrColumns, strings.Join(missing, ", "), strings.Join(names, ","))
	}
	return layout{time: -1, groups: []group{g}, names: roles}, nil
}

// wideLayout resolves ",BTC:open,BTC:high,...,ETH:open,...": the first column
// without a coin prefix that is a time alias (or is blank, as pandas writes
// its index) is the time; every COIN:field column belongs to COIN's group.
func wideLayout(names []string) (layout, error) {
	l := layout{time: -1, names: make([]string, len(names))}
	byCoin := map[string]int{}
	for i, n := range names {
		c := strings.IndexByte(n, ':')
		if c <= 0 {
			if l.time < 0 {
				if a, ok := aliases[normName(n)]; (ok && a.r == roleTime) || strings.TrimSpace(n) == "" {
					l.time = i
					l.names[i] = "time"
				}
			}
			continue
		}
		coin := strings.ToUpper(strings.TrimSpace(n[:c]))
		a, ok := aliases[normName(n[c+1:])]
		if !ok {
			continue
		}
		gi, seen := byCoin[coin]
		if !seen {
			gi = len(l.groups)
			byCoin[coin] = gi
			l.groups = append(l.groups, newGroup(coin))
		}
		g := &l.groups[gi]
		if g.idx[a.r] < 0 {
			g.idx[a.r], g.names[a.r] = i, n
			l.names[i] = coin + ":" + a.r.String()
		}
	}
	if l.time < 0 {
		return layout{}, fmt.Errorf("%w: no time column in wide header %q", ErrColumns, strings.Join(names, ","))
	}
	for i := range l.groups {
		g := &l.groups[i]
		g.idx[roleTime], g.names[roleTime] = l.time, names[l.time]
		if g.names[roleTime] == "" {
			g.names[roleTime] = "time"
		}
		for _, r := range []role{roleOpen, roleHigh, roleLow, roleClose} {
			if g.idx[r] < 0 {
				return layout{}, fmt.Errorf("%w: no %s:%s column in wide header", ErrColumns, g.coin, r)
			}
		}
	}
	return l, nil
}

// Standard headerless orders.
var (
	stdColumns      = []string{"time", "open", "high", "low", "close", "volume"}
	ninjabotColumns = []string{"time", "open", "close", "low", "high", "volume", "trades"}
	binanceColumns  = []string{"open_time", "open", "high", "low", "close", "volume", "close_time",
		"quote_volume", "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore"}
)

// assignVolumes places volume<X> columns: X = base → volume, X = quote →
// quote volume. With neither known, the first such column is the base volume
// and the next the quote volume (CryptoDataDownload writes
// "Volume BTC,Volume USDT"). A plain "volume" column beside a base-volume
// column becomes the quote volume: CryptoDataDownload's older files have
// "volume_btc,volume" with volume in USD.
func assignVolumes(g *group, names []string, volX []int, base, quote string) {
	plain := g.idx[roleVolume]
	baseCol, quoteCol := -1, -1
	var unknown []int
	for _, i := range volX {
		x := strings.ToUpper(normName(names[i])[len("volume"):])
		switch {
		case base != "" && x == base && baseCol < 0:
			baseCol = i
		case quote != "" && x == quote && quoteCol < 0:
			quoteCol = i
		default:
			unknown = append(unknown, i)
		}
	}
	for _, i := range unknown {
		x := strings.ToUpper(normName(names[i])[len("volume"):])
		switch {
		case isFiatQuote(x) && quoteCol < 0:
			quoteCol = i
		case baseCol < 0:
			baseCol = i
		case quoteCol < 0:
			quoteCol = i
		}
	}
	if baseCol >= 0 {
		if plain >= 0 && quoteCol < 0 {
			quoteCol = plain
		}
		g.idx[roleVolume], g.names[roleVolume] = baseCol, names[baseCol]
	}
	if quoteCol >= 0 && g.idx[roleQuoteVolume] < 0 {
		g.idx[roleQuoteVolume], g.names[roleQuoteVolume] = quoteCol, names[quoteCol]
	}
}
