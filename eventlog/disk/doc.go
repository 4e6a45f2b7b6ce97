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
//	<Dir>/market.bars.v1/LOCK                       (see Concurrency)
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
// default: Append returns only after the fsync, and readers in the same
// process see a batch only once it is durable), every Config.FsyncInterval
// from a background goroutine and on Close (FsyncInterval), or never
// (FsyncNone). Unless the policy is
// FsyncNone, sealed segments are synced before the next one is created, so a
// crash can only tear the last segment of a stream.
//
// Open scans every segment (the last one of a stream under the stream's
// lock, see Concurrency). In the last segment of a stream, a bad frame
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
// failure (a sticky error). Reopening the log recovers, and so does the next
// append by another process: it cuts the partial batch off as a torn tail.
//
// # Concurrency
//
// A [Log] is safe for concurrent use, and several processes may open the
// same directory at once: for example `candlewick import` appending to
// market.bars.v1 while `candlewick run` follows it and appends to
// signals.v1 and deadletter.v1, and `candlewick cat --follow` reads.
//
// Writers. In a process, a stream's Appends are serialised by a mutex.
// Between processes, each stream directory has a LOCK file; an Append takes
// an exclusive advisory lock on it (flock(2), through the [Locker] of the
// FS) for the one batch: so two processes may both append to
// deadletter.v1, batch by batch. Holding the lock, the writer first catches
// up with the stream's files, since another process may have appended,
// rolled over to a new segment or deleted old ones: the LOCK file holds a
// generation number (with OSFS, mapped into the memory of every process
// that opened it) that a roll-over or a retention deletion bumps, so that a
// load of it and one fstat of the active segment show that nothing changed
// (the fast path: besides the write, an Append costs three system calls:
// lock, fstat, unlock). Otherwise the writer lists the directory, reads and
// verifies the frames beyond what it knew, and continues the sequence
// numbers after them. Whatever the lock holder finds after the last complete
// batch was left by a writer that died mid-batch (a live one would hold the
// lock): it is cut off as a torn tail, logged and listed by
// [Log.Recovered], before the new batch is written. The lock is released
// after the write and, under FsyncAlways, the fsync. The kernel releases the
// lock of a process that dies, so a killed writer cannot wedge a stream.
// Open holds the lock while it recovers a stream's tail, never truncating a
// batch another process is writing; retention (on roll-over, in the
// FsyncInterval flusher and in [Log.EnforceRetention]) runs under it too.
// The lock and the shared generation work between processes of one
// machine: do not share a directory between machines (over NFS, say). An
// Append waits for the lock while another process holds it, for the length
// of one batch; ctx is checked before, not during, the wait. An FS without a
// [Locker] (OSFS on Windows, for example) gives no exclusion between
// processes: only one process may then write to a directory.
//
// Readers. A stream's writer publishes a committed size and sequence number
// after each batch; readers read only below them, through their own file
// handles, so they never see a partial batch and never wait for a write or
// an fsync. Read's snapshot, Last and Streams first catch up with the files
// (unless this process's writer is busy with the stream, which then
// publishes when done), and Follow waits on a channel that the writer of its
// own process closes on each append and, while that stays quiet, looks at
// the files every Config.PollInterval. Catching up without the lock exposes
// only complete batches (up to a frame with the end-of-batch flag) and
// changes no file: bytes after the last complete batch belong to a batch
// still being written, or to a torn one that only a lock holder may cut. A
// reader in another process may therefore see a batch before its writer's
// fsync has returned (under FsyncAlways, a machine crash at that moment can
// lose a batch that was read; a process crash cannot).
//
// Lock order: Log.mu, then stream.mu (the writer lock), then the stream's
// file lock, then stream.stateMu (the published state, never held during
// I/O); Log.recMu is a leaf.
//
// # Buffer ownership
//
// Append copies the batch into its own buffer. Records returned by the
// iterator of Read, and passed to the Follow callback, alias the reader's
// buffer (256 KiB, grown for larger records) and are valid until the next
// call of Next or the callback's return; a sequential scan does not allocate
// per record.
package disk
