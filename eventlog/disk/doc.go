// Package disk is the embedded [eventlog.Log]: streams stored as segment
// files on local disk, with no service to run. Open one with [Open] and a
// [Config]; it passes the eventlog/eventlogtest conformance suite.
//
// # Layout
//
// Each stream is a directory under Config.Dir, named after the stream. It
// holds segment files named by the sequence number of their first record,
// zero-padded to 20 digits, so that names sort in sequence order:
//
//	<Dir>/market.bars.v1/00000000000000000000.seg
//	<Dir>/market.bars.v1/00000000000000523817.seg   (active: appends go here)
//
// A stream rolls over to a new segment when the next batch would take the
// active one past Config.SegmentSize; a batch never spans two segments.
// Retention deletes whole segments, oldest first, never the active one.
//
// # Segment format (version 1)
//
// All integers are little-endian. CRC-32C is the Castagnoli CRC (hardware
// accelerated on amd64 and arm64). A segment is a 40-byte header followed by
// frames, one per record:
//
//	segment header (40 bytes)
//	+----------+-------------+-----------+--------------+-----------------+-----------+----------+
//	| magic    | version u32 | flags u32 | base seq u64 | created i64 ns  | crc32c u32| reserved |
//	| CNDLWLOG | = 1         | = 0       | first record | Config.Clock    | of [0,32) | u32 = 0  |
//	+----------+-------------+-----------+--------------+-----------------+-----------+----------+
//	 0          8             12          16             24                32          36      40
//
//	frame
//	+------------+------------+-------------------------------------------------------------+
//	| length u32 | crc32c u32 | payload (length bytes)                                      |
//	+------------+------------+-------------------------------------------------------------+
//	crc32c covers the 4 length bytes, then the payload.
//
//	payload
//	+---------+----------+----------------+-----+-------------------+----------------------------------+-------+
//	| seq u64 | flags u8 | key len uvarint| key | #headers uvarint  | per header: key len, key,        | value |
//	|         |          |                |     |                   |   value len, value (uvarints)    | (rest)|
//	+---------+----------+----------------+-----+-------------------+----------------------------------+-------+
//	flags bit 0: last record of its Append batch. Other bits are 0.
//
// The length is at least 11 and at most [MaxRecordSizeLimit]; Append refuses
// records whose payload exceeds Config.MaxRecordSize with a
// [*eventlog.RecordTooLargeError]. Every record carries its own sequence
// number, checked on every read. These constants are frozen; a change of
// layout needs a new version number and a reader for the old one.
//
// # Durability and recovery
//
// Config.Fsync chooses when data is synced: on every batch (FsyncAlways, the
// default: Append returns only after the fsync, and readers see a batch only
// once it is durable), every Config.FsyncInterval from a background goroutine
// and on Close (FsyncInterval), or never (FsyncNone). Unless the policy is
// FsyncNone, sealed segments are synced before the next one is created, so a
// crash can only tear the last segment of a stream.
//
// Open scans every segment. In the last segment of a stream, a bad frame
// (short, failing its checksum, malformed, or out of sequence) with nothing
// valid after it is a torn write; so are complete frames after the last
// end-of-batch flag (a batch cut short). Open truncates the file to the end
// of the last complete batch, syncs it (unless FsyncNone), logs a warning and
// lists the cut in [Log.Recovered]: a batch is never half there after a
// crash. Open reads all data once, so it takes time in proportion to the
// log's size (about a second per GB on one core). A bad frame
// followed by any valid frame, a bad frame in an older segment, or a gap
// between segments makes Open fail with a [*eventlog.CorruptError] naming the
// file and offset ([eventlog.ErrCorrupt]); the log refuses to start rather
// than drop acknowledged data silently (Config.TruncateCorruptTail cuts the
// last segment at its first bad frame instead: the way back after a power
// loss that wrote pages out of order). Readers verify every frame again and
// stop with a CorruptError on a mismatch, never returning wrong data.
//
// A failed write or fsync makes the stream read-only: every later Append
// returns an error matching [eventlog.ErrReadOnly] and wrapping the first
// failure (a sticky error). Reopening the log recovers.
//
// # Concurrency
//
// A stream has one writer at a time (Appends are serialised) and any number
// of readers. The writer publishes a committed size and sequence number
// after each batch; readers read only below them, through their own file
// handles, so they never see a partial batch and never wait for a write or
// an fsync. Follow waits on a channel that the writer closes on each append.
//
// Lock order: Log.mu, then stream.mu (the writer lock), then stream.stateMu
// (the published state, never held during I/O).
//
// # Buffer ownership
//
// Append copies the batch into its own buffer. Records returned by the
// iterator of Read, and passed to the Follow callback, alias the reader's
// buffer (256 KiB, grown for larger records) and are valid until the next
// call of Next or the callback's return; a sequential scan does not allocate
// per record.
package disk
