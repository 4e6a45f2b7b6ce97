package disk

import (
	"io"
	"io/fs"
	"os"
)

// FS is the file system the log works through: the operating system's by
// default ([OSFS]); tests substitute one that injects faults. Implementations
// must be safe for concurrent use. Paths use the host's separator, as built by
// path/filepath.
type FS interface {
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	Remove(name string) error
	Rename(oldpath, newpath string) error
	ReadDir(name string) ([]fs.DirEntry, error)
	MkdirAll(path string, perm fs.FileMode) error
	Stat(name string) (fs.FileInfo, error)
}

// File is an open file of an [FS]. ReadAt must be safe for concurrent use
// with WriteAt on other offsets (as it is for *os.File). A directory opened
// read-only must support Sync (to make entries in it durable) and Close.
type File interface {
	io.ReaderAt
	io.WriterAt
	io.Closer
	Sync() error
	Truncate(size int64) error
	Stat() (fs.FileInfo, error)
}

// OSFS is the [FS] of the operating system. Its zero value is ready to use.
type OSFS struct{}

// OpenFile calls [os.OpenFile].
func (OSFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err // a typed nil *os.File must not become a non-nil File
	}
	return f, nil
}

// Remove calls [os.Remove].
func (OSFS) Remove(name string) error { return os.Remove(name) }

// Rename calls [os.Rename].
func (OSFS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// ReadDir calls [os.ReadDir].
func (OSFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// MkdirAll calls [os.MkdirAll].
func (OSFS) MkdirAll(path string, perm fs.FileMode) error { return os.MkdirAll(path, perm) }

// Stat calls [os.Stat].
func (OSFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// syncDir makes the entries of directory dir durable (new or removed files).
func syncDir(fsys FS, dir string) error {
	d, err := fsys.OpenFile(dir, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Locker is an optional capability of an [FS]: exclusive advisory locks that
// exclude other processes (and other lock handles of the same file in this
// process), as flock(2) does. The log takes a stream's lock around each
// Append batch, around recovery of a stream's tail and around retention, so
// that several processes may append to one data directory. An FS without it
// gets no exclusion between processes: the log then assumes it is the only
// writer of its directory. [OSFS] implements it where flock exists (Linux,
// the BSDs and macOS).
type Locker interface {
	// OpenLock opens the lock file name, creating it if needed. The lock is
	// not held until FileLock.Lock.
	OpenLock(name string) (FileLock, error)
}

// FileLock is an open lock file of a [Locker]. Besides the lock, it keeps a
// generation number of the stream's segment list, shared by every process
// that opens the file: the log bumps it (holding the lock) on every
// roll-over and retention deletion, so that a writer learns cheaply, with no
// directory listing, whether another process changed the list. Lock and
// Unlock are called by one goroutine at a time; Generation may be called
// concurrently with them.
type FileLock interface {
	// Lock blocks until the caller holds the exclusive lock.
	Lock() error
	// Unlock releases the lock.
	Unlock() error
	// Generation returns the generation number; 0 for a new lock file.
	Generation() (int64, error)
	// SetGeneration stores a new generation number; the caller holds the
	// lock.
	SetGeneration(gen int64) error
	// Close releases the lock, if held, and the file.
	Close() error
}

// nopLock is the FileLock of an FS without a [Locker]: a plain file whose
// Lock and Unlock do nothing and whose size is the generation number.
type nopLock struct{ File }

func (nopLock) Lock() error   { return nil }
func (nopLock) Unlock() error { return nil }

func (l nopLock) Generation() (int64, error) {
	fi, err := l.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (l nopLock) SetGeneration(gen int64) error { return l.Truncate(gen) }

// openLock opens the lock file name through fsys's Locker, or as a plain
// file when fsys has none.
func openLock(fsys FS, name string) (FileLock, error) {
	if lk, ok := fsys.(Locker); ok {
		return lk.OpenLock(name)
	}
	f, err := fsys.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return nopLock{f}, nil
}
