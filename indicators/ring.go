package indicators

// ring is a fixed-capacity FIFO of float64, the window behind every
// moving-window indicator. Push on a full ring drops the oldest value and
// returns it. The zero value is unusable; make one with newRing.
type ring struct {
	buf  []float64
	head int // index of the oldest value
	n    int // number of values held
}

func newRing(capacity int) ring {
	if capacity < 1 {
		capacity = 1
	}
	return ring{buf: make([]float64, capacity)}
}

// full reports whether the ring holds capacity values.
func (r *ring) full() bool { return r.n == len(r.buf) }

// len returns the number of values held.
func (r *ring) len() int { return r.n }

// push appends v; when the ring was full it drops and returns the oldest value
// with dropped=true.
func (r *ring) push(v float64) (old float64, dropped bool) {
	if r.n < len(r.buf) {
		i := r.head + r.n
		if i >= len(r.buf) {
			i -= len(r.buf)
		}
		r.buf[i] = v
		r.n++
		return 0, false
	}
	old = r.buf[r.head]
	r.buf[r.head] = v
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	return old, true
}

// shift pushes v into a full ring and returns the value it drops: push's
// steady state, small enough to inline into an Update.
func (r *ring) shift(v float64) float64 {
	h := r.head
	old := r.buf[h]
	r.buf[h] = v
	if h++; h == len(r.buf) {
		h = 0
	}
	r.head = h
	return old
}

// at returns the i-th value, 0 being the oldest held.
func (r *ring) at(i int) float64 {
	j := r.head + i
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return r.buf[j]
}

// back returns the i-th newest value, 0 being the newest.
func (r *ring) back(i int) float64 { return r.at(r.n - 1 - i) }

// oldest returns the value push would drop next (valid when full).
func (r *ring) oldest() float64 { return r.buf[r.head] }

func (r *ring) reset() { r.head, r.n = 0, 0 }

// encode appends the ring's logical contents (oldest first) to e.
func (r *ring) encode(e *stateEncoder) {
	e.int(r.n)
	for i := 0; i < r.n; i++ {
		e.f64(r.at(i))
	}
}

// decode restores contents written by encode into a ring of the same capacity.
func (r *ring) decode(d *stateDecoder) {
	n := d.int()
	if n < 0 || n > len(r.buf) {
		d.fail("ring length out of range")
		return
	}
	r.reset()
	for i := 0; i < n; i++ {
		r.push(d.f64())
	}
}
