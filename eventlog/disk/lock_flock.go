//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package disk

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

var _ Locker = OSFS{}

// genSize is the size of the lock file: one native-endian int64, the
// generation number, read and written through a shared memory mapping. The
// file means something only to processes of one machine.
const genSize = 8

// OpenLock implements [Locker] with flock(2). The lock belongs to the open
// file description: two handles of one file exclude each other even in one
// process, and the kernel releases the lock when the process dies (a writer
// killed in the middle of a batch cannot wedge the stream). The generation
// number lives in the file's 8 bytes, mapped shared into memory, so that
// reading it costs no system call.
func (OSFS) OpenLock(name string) (FileLock, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.Size() < genSize {
		// Growing a file never changes bytes already there, so a process
		// racing to do the same cannot lose a generation stored meanwhile.
		if err := f.Truncate(genSize); err != nil {
			f.Close()
			return nil, err
		}
	}
	fd := int(f.Fd()) // valid while f is open: for the life of the flockFile
	mem, err := syscall.Mmap(fd, 0, genSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, &os.PathError{Op: "mmap", Path: name, Err: err}
	}
	return &flockFile{f: f, fd: fd, mem: mem, gen: (*int64)(unsafe.Pointer(&mem[0]))}, nil
}

type flockFile struct {
	f   *os.File
	fd  int
	mem []byte
	gen *int64 // &mem[0]: page aligned, so 8-byte atomics work
}

func (l *flockFile) Lock() error   { return l.flock(syscall.LOCK_EX) }
func (l *flockFile) Unlock() error { return l.flock(syscall.LOCK_UN) }

func (l *flockFile) Generation() (int64, error) { return atomic.LoadInt64(l.gen), nil }

func (l *flockFile) SetGeneration(gen int64) error {
	atomic.StoreInt64(l.gen, gen)
	return nil
}

func (l *flockFile) Close() error {
	err := syscall.Munmap(l.mem)
	if cerr := l.f.Close(); err == nil {
		err = cerr // closing the descriptor releases the lock
	}
	return err
}

func (l *flockFile) flock(how int) error {
	for {
		err := syscall.Flock(l.fd, how)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EINTR) {
			return fmt.Errorf("flock %s: %w", l.f.Name(), err)
		}
	}
}
