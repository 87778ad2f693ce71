package s3journal

import (
	"bytes"
	"io"
	"testing"
)

// chunksOfParts builds a chunks value by adding parts one by one, as a
// writer adds segments.
func chunksOfParts(parts ...string) chunks {
	var c chunks
	for _, p := range parts {
		c = c.add([]byte(p))
	}
	return c
}

func readAllChunks(t testing.TB, c chunks) string {
	t.Helper()
	b, err := io.ReadAll(c.reader())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestChunksHoldTheirPartsInOrder(t *testing.T) {
	c := chunksOfParts("ab", "", "cde", "f")
	if got := readAllChunks(t, c); got != "abcdef" || c.len() != 6 {
		t.Errorf("read %q (len %d), want \"abcdef\" (6)", got, c.len())
	}
	if len(c.parts) != 3 {
		t.Errorf("%d parts, want 3: an empty part is not added", len(c.parts))
	}
}

func TestChunksSliceIsAnyByteRange(t *testing.T) {
	c := chunksOfParts("ab", "cde", "f")
	const all = "abcdef"
	for from := 0; from <= len(all); from++ {
		for to := from; to <= len(all); to++ {
			s := c.slice(from, to)
			if got := readAllChunks(t, s); got != all[from:to] || s.len() != to-from {
				t.Errorf("slice(%d, %d) = %q (len %d), want %q", from, to, got, s.len(), all[from:to])
			}
			if !s.equal([]byte(all[from:to])) {
				t.Errorf("slice(%d, %d) is not equal to %q", from, to, all[from:to])
			}
		}
	}
}

func TestChunksSliceIsNotChangedByLaterAdds(t *testing.T) {
	c := chunksOfParts("ab", "cd")
	s := c.slice(0, c.len())
	c = c.add([]byte("ef"))
	if got := readAllChunks(t, s); got != "abcd" {
		t.Errorf("a slice taken before an add reads %q, want \"abcd\"", got)
	}
	if got := readAllChunks(t, c); got != "abcdef" {
		t.Errorf("after the add: %q", got)
	}
}

func TestChunksDropFrontCopiesACutPart(t *testing.T) {
	first := []byte("abc")
	c := chunks{}.add(first).add([]byte("de"))
	d := c.dropFront(1)
	if got := readAllChunks(t, d); got != "bcde" {
		t.Fatalf("dropFront(1) = %q, want \"bcde\"", got)
	}
	first[2] = 'X' // were "bc" still in first's array, d would change
	if got := readAllChunks(t, d); got != "bcde" {
		t.Errorf("dropFront(1) keeps the cut part's array: now %q", got)
	}
	if got := readAllChunks(t, c.dropFront(3)); got != "de" {
		t.Errorf("dropFront(3) = %q, want \"de\"", got)
	}
	if d := c.dropFront(5); d.len() != 0 || len(d.parts) != 0 {
		t.Errorf("dropFront(all) = %+v, want empty", d)
	}
}

func TestChunksEqual(t *testing.T) {
	c := chunksOfParts("ab", "cd")
	for _, tc := range []struct {
		b    string
		want bool
	}{{"abcd", true}, {"abc", false}, {"abce", false}, {"abcde", false}, {"", false}} {
		if got := c.equal([]byte(tc.b)); got != tc.want {
			t.Errorf("equal(%q) = %v, want %v", tc.b, got, tc.want)
		}
	}
	if !(chunks{}).equal(nil) {
		t.Errorf("empty chunks are not equal to nothing")
	}
}

// The SDK reads a body to sign it, seeks back to the start and reads it
// again to send it.
func TestChunkReaderSeeksAsBytesReader(t *testing.T) {
	const all = "abcdefgh"
	c := chunksOfParts("abc", "de", "fgh")
	for _, tc := range []struct {
		offset int64
		whence int
	}{{0, io.SeekStart}, {3, io.SeekStart}, {4, io.SeekStart}, {8, io.SeekStart}, {9, io.SeekStart},
		{-2, io.SeekEnd}, {0, io.SeekEnd}, {2, io.SeekCurrent}} {
		r, want := c.reader(), bytes.NewReader([]byte(all))
		io.CopyN(io.Discard, r, 1)
		io.CopyN(io.Discard, want, 1)
		got, err := r.Seek(tc.offset, tc.whence)
		wantPos, wantErr := want.Seek(tc.offset, tc.whence)
		if got != wantPos || (err == nil) != (wantErr == nil) {
			t.Errorf("Seek(%d, %d) = %d, %v; bytes.Reader: %d, %v", tc.offset, tc.whence, got, err, wantPos, wantErr)
			continue
		}
		if r.Len() != want.Len() {
			t.Errorf("after Seek(%d, %d): Len %d, bytes.Reader's %d", tc.offset, tc.whence, r.Len(), want.Len())
		}
		rest, _ := io.ReadAll(r)
		wantRest, _ := io.ReadAll(want)
		if string(rest) != string(wantRest) {
			t.Errorf("after Seek(%d, %d): read %q, bytes.Reader %q", tc.offset, tc.whence, rest, wantRest)
		}
	}
	if _, err := c.reader().Seek(-1, io.SeekStart); err == nil {
		t.Errorf("Seek to a negative position: no error")
	}
}

func TestChunkReaderReadsInSmallBuffers(t *testing.T) {
	c := chunksOfParts("abc", "de", "fgh")
	r := c.reader()
	var got []byte
	buf := make([]byte, 2)
	for {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if string(got) != "abcdefgh" {
		t.Errorf("read %q in 2-byte reads, want \"abcdefgh\"", got)
	}
}
