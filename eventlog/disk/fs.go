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
