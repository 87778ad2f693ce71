package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// svgNamespaces are the xmlns attributes of vgsvg's root element: an
// inline <svg> in HTML needs neither, and dropping them leaves the page
// without a single http URL. It compiles on first use.
var svgNamespaces = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s+xmlns(:xlink)?="[^"]*"`) })

// svg renders c as an <svg> element to inline in HTML.
func svg(c Chart) (string, error) {
	canvas := vgsvg.New(c.Width, c.Height)
	c.Plot.Draw(draw.New(canvas))
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("report: render %s: %w", c.Name, err)
	}
	s := buf.String()
	i := strings.Index(s, "<svg")
	if i < 0 {
		return "", fmt.Errorf("report: render %s: no <svg> element", c.Name)
	}
	s = s[i:]
	end := strings.IndexByte(s, '>')
	root := svgNamespaces().ReplaceAllString(s[:end], "")
	return root + fmt.Sprintf(` role="img" aria-label="%s"`, htmlAttr(c.Title)) + s[end:], nil
}

func htmlAttr(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `"`, "&quot;", `<`, "&lt;", `>`, "&gt;").Replace(s)
}

// PNGDPI is the resolution of WritePNG's images: sharp enough for
// print and for a README.
const PNGDPI = 150

// WritePNG writes the study's charts as PNG files into dir, which is
// created if missing, and returns their paths: best-over-trials.png,
// best-over-time.png, parallel-coordinates.png, rungs.png (early stopping
// only) and param-NAME.png for each varied parameter.
func WritePNG(dir string, s *Study) ([]string, error) {
	cs, err := buildCharts(s)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var paths []string
	for _, c := range cs.all() {
		canvas := vgimg.NewWith(vgimg.UseWH(c.Width, c.Height), vgimg.UseDPI(PNGDPI))
		c.Plot.Draw(draw.New(canvas))
		path := filepath.Join(dir, c.Name+".png")
		f, err := os.Create(path)
		if err != nil {
			return paths, fmt.Errorf("report: %w", err)
		}
		_, err = vgimg.PngCanvas{Canvas: canvas}.WriteTo(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return paths, fmt.Errorf("report: write %s: %w", path, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// WriteSVG writes the study's charts as standalone SVG files into dir,
// named as WritePNG names its PNG files (with .svg), and returns their
// paths: vector charts for papers.
func WriteSVG(dir string, s *Study) ([]string, error) {
	cs, err := buildCharts(s)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var paths []string
	for _, c := range cs.all() {
		canvas := vgsvg.New(c.Width, c.Height)
		c.Plot.Draw(draw.New(canvas))
		path := filepath.Join(dir, c.Name+".svg")
		f, err := os.Create(path)
		if err != nil {
			return paths, fmt.Errorf("report: %w", err)
		}
		_, err = canvas.WriteTo(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return paths, fmt.Errorf("report: write %s: %w", path, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}
