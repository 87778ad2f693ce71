package s3journal

import (
	"bytes"
	"errors"
	"io"
)

// chunks is a sequence of bytes held as the slices it was made of, in
// order. A writer's journal lines (one slice a segment) and its
// checkpoint's bytes (one slice a gzip member) grow by adding a slice,
// not by copying everything into a larger array: held as one []byte,
// the lines of a 100,000-trial study were copied some 300 MB over as
// they grew, and each copy was live beside the old array for a while
// (twice what it holds, and more, on the heap).
//
// A slice is never written to once added, and a chunks value is never
// changed (add returns a new one), so a value taken under a lock may be
// read after it is released while its owner adds more.
type chunks struct {
	parts [][]byte
	n     int // the bytes in parts
}

// chunksOf returns the chunks of one slice.
func chunksOf(p []byte) chunks {
	if len(p) == 0 {
		return chunks{}
	}
	return chunks{parts: [][]byte{p}, n: len(p)}
}

// len returns the number of bytes c holds.
func (c chunks) len() int { return c.n }

// add returns c followed by p, which must not be written to after. It
// may share its array of slices with c, so values made by add from the
// same c must not both be added to: one owner adds, and others take
// copies with slice.
func (c chunks) add(p []byte) chunks {
	if len(p) == 0 {
		return c
	}
	return chunks{parts: append(c.parts, p), n: c.n + len(p)}
}

// slice returns bytes from..to of c (0 ≤ from ≤ to ≤ c.len()) in an
// array of slices of its own, sharing their bytes with c.
func (c chunks) slice(from, to int) chunks {
	if from < 0 || to < from || to > c.n {
		panic("s3journal: chunks.slice out of range")
	}
	out := chunks{n: to - from}
	// Start at the first slice that holds byte from, found from the end
	// when from is in the second half: the delta writer takes the
	// newest segments of a tail of thousands.
	i, off := 0, 0
	if from > c.n/2 {
		i, off = len(c.parts), c.n
		for i > 0 && off > from {
			i--
			off -= len(c.parts[i])
		}
	}
	for _, p := range c.parts[i:] {
		start, end := off, off+len(p)
		off = end
		if end <= from {
			continue
		}
		if start >= to {
			break
		}
		out.parts = append(out.parts, p[max(from, start)-start:min(to, end)-start])
	}
	return out
}

// dropFront returns c without its first n bytes, in an array of slices
// of its own. A slice that n cuts is copied, so that the bytes before
// the cut are not kept alive by what remains.
func (c chunks) dropFront(n int) chunks {
	out := c.slice(n, c.n)
	off := 0
	for _, p := range c.parts {
		if off+len(p) > n {
			if off < n { // cut
				out.parts[0] = bytes.Clone(out.parts[0])
			}
			break
		}
		off += len(p)
	}
	return out
}

// equal reports whether c holds b byte for byte.
func (c chunks) equal(b []byte) bool {
	if len(b) != c.n {
		return false
	}
	for _, p := range c.parts {
		if !bytes.Equal(p, b[:len(p)]) {
			return false
		}
		b = b[len(p):]
	}
	return true
}

// reader returns a reader of c's bytes that can seek, as the SDK needs
// to sign and checksum a request's body before it sends it.
func (c chunks) reader() *chunkReader { return &chunkReader{c: c} }

// chunkReader reads a chunks value: an io.ReadSeeker, as bytes.Reader
// is of one slice.
type chunkReader struct {
	c   chunks
	off int64 // the next byte to read
	// part and partOff locate off: the slice holding it, and where that
	// slice starts.
	part    int
	partOff int64
}

var _ io.ReadSeeker = (*chunkReader)(nil)

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.off >= int64(r.c.n) {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.part < len(r.c.parts) {
		cur := r.c.parts[r.part]
		k := copy(p[n:], cur[r.off-r.partOff:])
		n += k
		r.off += int64(k)
		if r.off-r.partOff == int64(len(cur)) {
			r.partOff += int64(len(cur))
			r.part++
		}
	}
	return n, nil
}

// Seek sets where the next Read starts, as io.Seeker says; a position
// past the end reads nothing.
func (r *chunkReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += int64(r.c.n)
	default:
		return 0, errors.New("s3journal: chunkReader.Seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("s3journal: chunkReader.Seek: negative position")
	}
	r.off, r.part, r.partOff = offset, 0, 0
	for r.part < len(r.c.parts) && r.partOff+int64(len(r.c.parts[r.part])) <= offset {
		r.partOff += int64(len(r.c.parts[r.part]))
		r.part++
	}
	return offset, nil
}

// Len returns the number of bytes not yet read, as bytes.Reader's does:
// the SDK and net/http use it to size the request's body.
func (r *chunkReader) Len() int {
	if r.off >= int64(r.c.n) {
		return 0
	}
	return int(int64(r.c.n) - r.off)
}
