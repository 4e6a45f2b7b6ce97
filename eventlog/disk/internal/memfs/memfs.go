// Package memfs is an in-memory [disk.FS] for tests: fast (no real I/O, so
// fsync-heavy tests and fuzzing run quickly) and crashable: [FS.CrashClone]
// returns the state a machine crash could leave behind, keeping only synced
// data plus, optionally, a random prefix of the unsynced tail of each file
// (a torn write).
//
// Durability model (like pebble's vfs.NewCrashableMem, simplified): a file's
// contents are durable up to its last Sync; a new file or directory exists
// after a crash only once its parent directory was synced (opened and Sync
// called). Remove and Rename are durable at once. Directories are created by
// MkdirAll only.
package memfs

import (
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog/disk"
)

// FS is an in-memory file system, safe for concurrent use. The zero value
// is not usable; call [New].
type FS struct {
	mu    sync.Mutex // guards nodes, locks and the directory maps of every node
	nodes map[string]*node
	locks map[string]chan struct{} // per lock-file path: holds a token while locked
}

type node struct {
	name string
	dir  bool
	// Directories: live and durable child names (guarded by FS.mu).
	children map[string]bool
	durable  map[string]bool
	// Files: contents (guarded by mu).
	mu     sync.RWMutex
	data   []byte
	synced []byte
}

var (
	_ disk.FS     = (*FS)(nil)
	_ disk.Locker = (*FS)(nil)
)

// New returns an empty file system holding only the root directory "/".
func New() *FS {
	return &FS{nodes: map[string]*node{"/": newDir("/")}, locks: map[string]chan struct{}{}}
}

func newDir(name string) *node {
	return &node{name: name, dir: true, children: map[string]bool{}, durable: map[string]bool{}}
}

func clean(name string) string {
	return filepath.Clean("/" + name)
}

func pathErr(op, name string, err error) error { return &fs.PathError{Op: op, Path: name, Err: err} }

// OpenFile implements [disk.FS]. It supports O_RDONLY, O_RDWR, O_WRONLY,
// O_CREATE, O_EXCL and O_TRUNC; directories open read-only (for Sync).
func (m *FS) OpenFile(name string, flag int, perm fs.FileMode) (disk.File, error) {
	p := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	if n == nil {
		if flag&os.O_CREATE == 0 {
			return nil, pathErr("open", name, fs.ErrNotExist)
		}
		parent := m.nodes[filepath.Dir(p)]
		if parent == nil || !parent.dir {
			return nil, pathErr("open", name, fs.ErrNotExist)
		}
		n = &node{name: filepath.Base(p)}
		m.nodes[p] = n
		parent.children[n.name] = true
	} else if flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL {
		return nil, pathErr("open", name, fs.ErrExist)
	}
	if n.dir && flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		return nil, pathErr("open", name, errors.New("is a directory"))
	}
	if flag&os.O_TRUNC != 0 && !n.dir {
		n.mu.Lock()
		n.data = n.data[:0]
		n.mu.Unlock()
	}
	return &file{fs: m, n: n, path: p, write: flag&(os.O_WRONLY|os.O_RDWR) != 0}, nil
}

// Remove implements [disk.FS].
func (m *FS) Remove(name string) error {
	p := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	if n == nil {
		return pathErr("remove", name, fs.ErrNotExist)
	}
	if n.dir && len(n.children) > 0 {
		return pathErr("remove", name, errors.New("directory not empty"))
	}
	delete(m.nodes, p)
	parent := m.nodes[filepath.Dir(p)]
	delete(parent.children, n.name)
	delete(parent.durable, n.name)
	return nil
}

// Rename implements [disk.FS] for files.
func (m *FS) Rename(oldpath, newpath string) error {
	op, np := clean(oldpath), clean(newpath)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[op]
	if n == nil || n.dir {
		return pathErr("rename", oldpath, fs.ErrNotExist)
	}
	np_ := m.nodes[filepath.Dir(np)]
	if np_ == nil || !np_.dir {
		return pathErr("rename", newpath, fs.ErrNotExist)
	}
	oparent := m.nodes[filepath.Dir(op)]
	delete(oparent.children, n.name)
	delete(oparent.durable, n.name)
	delete(m.nodes, op)
	n.name = filepath.Base(np)
	m.nodes[np] = n
	np_.children[n.name] = true
	np_.durable[n.name] = true
	return nil
}

// ReadDir implements [disk.FS]: entries sorted by name.
func (m *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	p := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	if n == nil || !n.dir {
		return nil, pathErr("readdir", name, fs.ErrNotExist)
	}
	names := make([]string, 0, len(n.children))
	for c := range n.children {
		names = append(names, c)
	}
	slices.Sort(names)
	out := make([]fs.DirEntry, len(names))
	for i, c := range names {
		out[i] = fs.FileInfoToDirEntry(m.nodes[filepath.Join(p, c)].info())
	}
	return out, nil
}

// MkdirAll implements [disk.FS].
func (m *FS) MkdirAll(path string, perm fs.FileMode) error {
	p := clean(path)
	m.mu.Lock()
	defer m.mu.Unlock()
	var missing []string
	for q := p; m.nodes[q] == nil; q = filepath.Dir(q) {
		missing = append(missing, q)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		q := missing[i]
		m.nodes[q] = newDir(filepath.Base(q))
		m.nodes[filepath.Dir(q)].children[filepath.Base(q)] = true
	}
	if !m.nodes[p].dir {
		return pathErr("mkdir", path, errors.New("not a directory"))
	}
	return nil
}

// Stat implements [disk.FS].
func (m *FS) Stat(name string) (fs.FileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[clean(name)]
	if n == nil {
		return nil, pathErr("stat", name, fs.ErrNotExist)
	}
	return n.info(), nil
}

// ReadFile returns a copy of a file's contents.
func (m *FS) ReadFile(name string) ([]byte, error) {
	m.mu.Lock()
	n := m.nodes[clean(name)]
	m.mu.Unlock()
	if n == nil || n.dir {
		return nil, pathErr("read", name, fs.ErrNotExist)
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	return slices.Clone(n.data), nil
}

// WriteFile creates or replaces a file (creating its directory), durably.
func (m *FS) WriteFile(name string, data []byte) error {
	if err := m.MkdirAll(filepath.Dir(clean(name)), 0o755); err != nil {
		return err
	}
	p := clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	if n == nil {
		n = &node{name: filepath.Base(p)}
		m.nodes[p] = n
	}
	for q := p; q != "/"; q = filepath.Dir(q) {
		parent := m.nodes[filepath.Dir(q)]
		parent.children[filepath.Base(q)] = true
		parent.durable[filepath.Base(q)] = true
	}
	n.mu.Lock()
	n.data = slices.Clone(data)
	n.synced = slices.Clone(data)
	n.mu.Unlock()
	return nil
}

// CrashClone returns a new FS holding what a crash now could leave: files
// and directories reachable through synced directory entries, each file
// with its synced contents. With rng non-nil, each file also keeps a random
// prefix of its unsynced tail (when its contents only grew since the last
// sync), as a torn write would. The receiver is unchanged.
func (m *FS) CrashClone(rng *rand.Rand) *FS {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := New()
	paths := make([]string, 0, len(m.nodes))
	for p := range m.nodes {
		paths = append(paths, p)
	}
	slices.Sort(paths) // parents before children; and a deterministic rng order
	for _, p := range paths {
		if p == "/" || !m.durablyReachable(p) {
			continue
		}
		n := m.nodes[p]
		parent := c.nodes[filepath.Dir(p)]
		parent.children[n.name] = true
		parent.durable[n.name] = true
		if n.dir {
			c.nodes[p] = newDir(n.name)
			continue
		}
		n.mu.RLock()
		data := slices.Clone(n.synced)
		if rng != nil && len(n.data) > len(n.synced) && strings.HasPrefix(string(n.data), string(n.synced)) {
			extra := rng.IntN(len(n.data) - len(n.synced) + 1)
			data = append(data, n.data[len(n.synced):len(n.synced)+extra]...)
		}
		n.mu.RUnlock()
		c.nodes[p] = &node{name: n.name, data: data, synced: slices.Clone(data)}
	}
	return c
}

// durablyReachable reports whether every entry on the way to p is durable.
// m.mu must be held.
func (m *FS) durablyReachable(p string) bool {
	for q := p; q != "/"; q = filepath.Dir(q) {
		parent := m.nodes[filepath.Dir(q)]
		if parent == nil || !parent.durable[filepath.Base(q)] {
			return false
		}
	}
	return true
}

func (n *node) info() fs.FileInfo {
	if n.dir {
		return fileInfo{name: n.name, mode: fs.ModeDir | 0o755}
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	return fileInfo{name: n.name, size: int64(len(n.data)), mode: 0o644}
}

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) Size() int64        { return fi.size }
func (fi fileInfo) Mode() fs.FileMode  { return fi.mode }
func (fi fileInfo) ModTime() time.Time { return time.Time{} }
func (fi fileInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi fileInfo) Sys() any           { return nil }

// file is an open handle. A removed file stays readable through it, as on
// Unix.
type file struct {
	fs     *FS
	n      *node
	path   string
	write  bool
	closed bool
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if f.closed {
		return 0, os.ErrClosed
	}
	if f.n.dir {
		return 0, pathErr("read", f.path, errors.New("is a directory"))
	}
	if off < 0 {
		return 0, pathErr("read", f.path, errors.New("negative offset"))
	}
	f.n.mu.RLock()
	defer f.n.mu.RUnlock()
	if off >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	k := copy(p, f.n.data[off:])
	if k < len(p) {
		return k, io.EOF
	}
	return k, nil
}

func (f *file) WriteAt(p []byte, off int64) (int, error) {
	if f.closed {
		return 0, os.ErrClosed
	}
	if !f.write || off < 0 {
		return 0, pathErr("write", f.path, errors.New("bad file descriptor or offset"))
	}
	f.n.mu.Lock()
	defer f.n.mu.Unlock()
	if end := off + int64(len(p)); end > int64(len(f.n.data)) {
		f.n.data = append(f.n.data, make([]byte, end-int64(len(f.n.data)))...)
	}
	copy(f.n.data[off:], p)
	return len(p), nil
}

func (f *file) Sync() error {
	if f.closed {
		return os.ErrClosed
	}
	if f.n.dir {
		f.fs.mu.Lock()
		f.n.durable = make(map[string]bool, len(f.n.children))
		for c := range f.n.children {
			f.n.durable[c] = true
		}
		f.fs.mu.Unlock()
		return nil
	}
	f.n.mu.Lock()
	f.n.synced = slices.Clone(f.n.data)
	f.n.mu.Unlock()
	return nil
}

func (f *file) Truncate(size int64) error {
	if f.closed {
		return os.ErrClosed
	}
	if !f.write || size < 0 {
		return pathErr("truncate", f.path, errors.New("bad file descriptor or size"))
	}
	f.n.mu.Lock()
	defer f.n.mu.Unlock()
	if size <= int64(len(f.n.data)) {
		f.n.data = f.n.data[:size:size]
	} else {
		f.n.data = append(f.n.data, make([]byte, size-int64(len(f.n.data)))...)
	}
	return nil
}

func (f *file) Stat() (fs.FileInfo, error) {
	if f.closed {
		return nil, os.ErrClosed
	}
	return f.n.info(), nil
}

func (f *file) Close() error {
	if f.closed {
		return os.ErrClosed
	}
	f.closed = true
	return nil
}

// OpenLock implements [disk.Locker] like flock(2) on one machine: handles
// of the same path exclude each other, so two logs opened on one FS behave
// like two processes sharing a directory. Locks are not part of crash
// images.
func (m *FS) OpenLock(name string) (disk.FileLock, error) {
	f, err := m.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	p := clean(name)
	m.mu.Lock()
	ch := m.locks[p]
	if ch == nil {
		ch = make(chan struct{}, 1)
		m.locks[p] = ch
	}
	m.mu.Unlock()
	return &lockFile{File: f, ch: ch}, nil
}

type lockFile struct {
	disk.File
	ch   chan struct{}
	held bool // only touched by the goroutine calling Lock and Unlock
}

func (l *lockFile) Lock() error {
	if l.held {
		return errors.New("memfs: lock already held by this handle")
	}
	l.ch <- struct{}{}
	l.held = true
	return nil
}

func (l *lockFile) Unlock() error {
	if l.held {
		l.held = false
		<-l.ch
	}
	return nil
}

// Generation implements [disk.FileLock]: the lock file's size, shared by
// every handle.
func (l *lockFile) Generation() (int64, error) {
	fi, err := l.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// SetGeneration implements [disk.FileLock].
func (l *lockFile) SetGeneration(gen int64) error { return l.Truncate(gen) }

func (l *lockFile) Close() error {
	l.Unlock() // as closing a flock(2) descriptor does
	return l.File.Close()
}
