package lambdaexec

import (
	"compress/gzip"
	"io"
)

// gzipBody decodes a gzip answer that connPool asked for, as net/http's
// Transport does when it added Accept-Encoding itself: lazily, at the
// first read, and an error decoding the header sticks.
type gzipBody struct {
	body *connBody
	zr   *gzip.Reader
	zerr error
}

func (g *gzipBody) Read(p []byte) (int, error) {
	if g.zerr != nil {
		return 0, g.zerr
	}
	if g.zr == nil {
		zr, err := gzip.NewReader(g.body)
		if err != nil {
			g.zerr = err
			return 0, err
		}
		g.zr = zr
	}
	return g.zr.Read(p)
}

func (g *gzipBody) Close() error { return g.body.Close() }

var _ io.ReadCloser = (*gzipBody)(nil)
