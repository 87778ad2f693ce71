package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
	"github.com/pierrec/lz4/v4"
)

// pageCodec checks that compressed pages decompress to no more than the
// size their header declares. The parquet library grows its output
// buffer for as long as a decompressor writes, allocates whatever size a
// Snappy or Zstandard header claims, and on a corrupt LZ4 block doubles
// its buffer until memory runs out; a page of a few bytes could so make
// it allocate without bound. Checking costs a second decompression of
// the pages of GZIP, BROTLI, ZSTD and LZ4_RAW files, which stream into
// nothing; Snappy pages are checked by their header alone.
type pageCodec struct {
	buf, out []byte
	zstd     *zstd.Decoder
}

// check reads the compressed page of n bytes at off in r and checks it.
// want is the uncompressed size its header declares; the error says what
// is wrong.
func (c *pageCodec) check(codec format.CompressionCodec, r io.ReaderAt, off int64, n, want int32) error {
	switch codec {
	case format.Uncompressed:
		return nil
	case format.Snappy:
		n = min(n, 16) // the decoded length is a varint at the start
	}
	if cap(c.buf) < int(n) {
		c.buf = make([]byte, n)
	}
	src := c.buf[:n]
	if _, err := r.ReadAt(src, off); err != nil {
		return err
	}
	var got int64
	switch codec {
	case format.Snappy:
		m, err := snappy.DecodedLen(src)
		if err != nil {
			return fmt.Errorf("snappy: %w", err)
		}
		got = int64(m)
	case format.Gzip:
		z, err := gzip.NewReader(bytes.NewReader(src))
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		if got, err = io.Copy(io.Discard, io.LimitReader(z, int64(want)+1)); err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
	case format.Brotli:
		var err error
		if got, err = io.Copy(io.Discard, io.LimitReader(brotli.NewReader(bytes.NewReader(src)), int64(want)+1)); err != nil {
			return fmt.Errorf("brotli: %w", err)
		}
	case format.Zstd:
		declared, err := zstdDeclaredSize(src)
		if err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
		if declared > int64(want) {
			return fmt.Errorf("zstd frames declare %d bytes, the page header %d", declared, want)
		}
		if c.zstd == nil {
			if c.zstd, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true)); err != nil {
				return fmt.Errorf("zstd: %w", err)
			}
		}
		if err := c.zstd.Reset(bytes.NewReader(src)); err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
		if got, err = io.Copy(io.Discard, io.LimitReader(c.zstd, int64(want)+1)); err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
	case format.Lz4Raw:
		// Exactly the declared size: a block that needs more, or that is
		// corrupt, fails.
		if cap(c.out) < int(want) {
			c.out = make([]byte, want)
		}
		m, err := lz4.UncompressBlock(src, c.out[:want])
		if err != nil {
			return fmt.Errorf("lz4: does not decompress into the %d bytes its header declares: %w", want, err)
		}
		got = int64(m)
	default:
		return nil // the library refuses codecs it does not know
	}
	if got > int64(want) {
		return fmt.Errorf("decompresses to more than the %d bytes its header declares", want)
	}
	return nil
}

// close releases the decoder's resources.
func (c *pageCodec) close() {
	if c.zstd != nil {
		c.zstd.Close()
	}
}

// zstdDeclaredSize walks the Zstandard frames in src and returns the sum
// of the content sizes they declare, which a decoder given them whole
// allocates up front.
func zstdDeclaredSize(src []byte) (int64, error) {
	var total int64
	for len(src) > 0 {
		var h zstd.Header
		if err := h.Decode(src); err != nil {
			return 0, err
		}
		pos := int64(h.HeaderSize)
		if h.Skippable {
			pos += int64(h.SkippableSize)
		} else {
			if h.HasFCS {
				total += int64(min(h.FrameContentSize, 1<<40))
			}
			for last := false; !last; {
				if pos+3 > int64(len(src)) {
					return 0, errors.New("truncated frame")
				}
				bh := uint32(src[pos]) | uint32(src[pos+1])<<8 | uint32(src[pos+2])<<16
				pos += 3
				last = bh&1 == 1
				switch size := int64(bh >> 3); (bh >> 1) & 3 {
				case 0, 2: // raw, compressed
					pos += size
				case 1: // RLE: one byte repeated size times
					pos++
				default:
					return 0, errors.New("reserved block type")
				}
			}
			if h.HasCheckSum {
				pos += 4
			}
		}
		if pos > int64(len(src)) {
			return 0, errors.New("truncated frame")
		}
		src = src[pos:]
	}
	return total, nil
}
