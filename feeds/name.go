package feeds

import (
	"path"
	"strings"

	"github.com/candlewick-labs/candlewick/events"
)

// NameInfo is what a file name (or a JSON "name" field) says about the bars.
// Empty fields mean the name does not say.
type NameInfo struct {
	Symbol   string          // canonical, e.g. "BTC-USD", or a lone ticker "BTC"
	Venue    string          // lower case, e.g. "coinbase"
	Interval events.Interval // e.g. 5m from "-5m" or "PT5M"
	Quote    string          // a fiat/stablecoin quote token standing alone ("USD"), for wide files
}

// venues maps lower-case name tokens to venue names. Only exchanges whose
// names are unambiguous in a file name are listed.
var venues = map[string]string{
	"binance": "binance", "binanceus": "binanceus", "coinbase": "coinbase",
	"coinbasepro": "coinbase", "gdax": "coinbase", "bitstamp": "bitstamp",
	"kraken": "kraken", "bitfinex": "bitfinex", "bybit": "bybit", "okx": "okx",
	"okex": "okx", "kucoin": "kucoin", "gemini": "gemini", "huobi": "huobi",
	"bittrex": "bittrex", "poloniex": "poloniex", "ftx": "ftx", "deribit": "deribit",
	"bitmex": "bitmex", "gateio": "gateio", "mexc": "mexc",
}

// stopwords are name tokens that look like tickers but are not.
var stopwords = map[string]bool{
	"data": true, "test": true, "sample": true, "export": true, "history": true,
	"historical": true, "index": true, "market": true, "spot": true, "futures": true,
	"ohlc": true, "ohlcv": true, "candles": true, "candle": true, "klines": true,
	"kline": true, "bars": true, "bar": true, "daily": true, "hourly": true,
	"minute": true, "prices": true, "price": true, "tradingview": true, "usdm": true,
	"coinm": true, "trades": true, "json": true, "csv": true, "gz": true, "raw": true,
}

// fiatQuotes are the quote currencies a concatenated ticker is split on,
// longest first so that USDT wins over USD. Crypto quotes (BTC, ETH, BNB) are
// deliberately absent: "ADABTC" could be read more than one way by a program
// that does not know every listed asset, so it is kept whole.
var fiatQuotes = []string{"FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "USD",
	"EUR", "GBP", "JPY", "AUD", "CAD", "CHF", "TRY", "BRL", "KRW", "RUB", "UAH"}

func isFiatQuote(s string) bool {
	for _, q := range fiatQuotes {
		if s == q {
			return true
		}
	}
	return false
}

// ParseName reads symbol, venue and interval from a file name (directories
// and .gz/.csv/.json/.jsonl/.txt extensions are ignored). The rules:
//   - tokens are the runs of letters and digits;
//   - a known exchange name sets the venue (binance, coinbase, bitstamp, ...);
//   - an interval token ("5m", "1h", "PT5M", "P1D"; a lone "d" or "h" as
//     CryptoDataDownload writes it) sets the interval;
//   - two adjacent ticker-like tokens make BASE-QUOTE ("BTC_USDT-5m",
//     "Coinbase-BTC-USD-PT4H"); otherwise the first ticker-like token is
//     split by [NormalizeSymbol] ("BTCUSD" → BTC-USD, "ADABTC" and "btc" kept).
func ParseName(name string) NameInfo {
	return parseSeriesName(path.Base(strings.ReplaceAll(name, "\\", "/")))
}

// parseSeriesName is ParseName without the directory step, for series names
// inside the data where '/' separates base and quote ("ETH/USD_PT5M@BinanceUS").
func parseSeriesName(base string) NameInfo {
	for {
		ext := strings.ToLower(path.Ext(base))
		switch ext {
		case ".gz", ".gzip", ".csv", ".json", ".jsonl", ".ndjson", ".txt", ".tsv":
			base = base[:len(base)-len(ext)]
			continue
		}
		break
	}
	var info NameInfo
	type tok struct {
		s   string
		idx int
	}
	var tickers []tok
	idx := 0
	for _, t := range splitAlnum(base) {
		lt := strings.ToLower(t)
		if v, ok := venues[lt]; ok {
			if info.Venue == "" {
				info.Venue = v
			}
			idx++
			continue
		}
		if iv, ok := nameInterval(t); ok {
			if info.Interval == 0 {
				info.Interval = iv
			}
			idx++
			continue
		}
		if tickerLike(t) && !stopwords[lt] {
			tickers = append(tickers, tok{strings.ToUpper(t), idx})
		}
		idx++
	}
	for i := 0; i+1 < len(tickers); i++ {
		if tickers[i+1].idx == tickers[i].idx+1 {
			info.Symbol = tickers[i].s + "-" + tickers[i+1].s
			break
		}
	}
	if info.Symbol == "" && len(tickers) > 0 {
		info.Symbol = NormalizeSymbol(tickers[0].s)
	}
	if len(tickers) > 1 {
		for i := len(tickers) - 1; i >= 0; i-- {
			if isFiatQuote(tickers[i].s) {
				info.Quote = tickers[i].s
				break
			}
		}
	}
	return info
}

func splitAlnum(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		alnum := i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z')
		if alnum && start < 0 {
			start = i
		} else if !alnum && start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
	}
	return out
}

// tickerLike: 2 to 10 letters and digits, starting with a letter or digit,
// with at least one letter ("1INCH" yes, "20230313" no).
func tickerLike(t string) bool {
	if len(t) < 2 || len(t) > 10 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i] | 0x20
		if c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

func nameInterval(t string) (events.Interval, bool) {
	switch strings.ToLower(t) {
	case "d", "daily":
		return events.Day, true
	case "h", "hourly":
		return events.Hour, true
	}
	if iv, err := events.ParseInterval(t); err == nil {
		return iv, true
	}
	// ta4j writes "PT1D" for a day, which ISO 8601 spells "P1D".
	if n := len(t); n >= 4 && (t[:2] == "PT" || t[:2] == "pt") && (t[n-1]|0x20 == 'd' || t[n-1]|0x20 == 'w') {
		if iv, err := events.ParseInterval("P" + t[2:]); err == nil {
			return iv, true
		}
	}
	// "1H", "4H", "1D": upper-case units are common in vendor names; "1M"
	// stays unread because some vendors mean a month by it.
	if n := len(t); n >= 2 && (t[n-1] == 'H' || t[n-1] == 'D' || t[n-1] == 'W' || t[n-1] == 'S') {
		if iv, err := events.ParseInterval(t[:n-1] + strings.ToLower(t[n-1:])); err == nil {
			return iv, true
		}
	}
	return 0, false
}

// NormalizeSymbol returns the canonical upper-case form of a symbol as it
// appears in a symbol column or option: "BTC/USDT", "btc_usdt", "BTC-USDT" →
// "BTC-USDT"; "BTCUSD" → "BTC-USD" (split on a trailing fiat or stablecoin
// quote); "ADABTC" → "ADABTC" (crypto quotes are ambiguous, kept whole).
func NormalizeSymbol(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	if i := strings.IndexAny(s, "/_-: "); i > 0 && i < len(s)-1 {
		base, quote := s[:i], s[i+1:]
		if j := strings.IndexAny(quote, "/_-: "); j >= 0 {
			// BTC-USD-PERP and the like: keep the rest as written, joined by '-'.
			quote = strings.Map(func(r rune) rune {
				if strings.ContainsRune("/_: ", r) {
					return '-'
				}
				return r
			}, quote)
		}
		return base + "-" + quote
	}
	for _, q := range fiatQuotes {
		if len(s) >= len(q)+2 && strings.HasSuffix(s, q) {
			return s[:len(s)-len(q)] + "-" + q
		}
	}
	return s
}
