package dashboard

import (
	"errors"
	"net/http"

	"github.com/hpsearch/hpsearch/internal/studycharts"
)

// Contour is GET /api/studies/{id}/contour?x=NAME&y=NAME: the contour
// plot of any pair of the study's numeric parameters (Charts.Contours
// holds the pairs of the three most important).
type Contour = studycharts.Contour

// apiContour answers GET /api/studies/{id}/contour?x=NAME&y=NAME: 400
// without both names, 422 with the reason when the pair cannot be drawn
// (a category, an unknown name, too few trials for the forest).
func (s *Server) apiContour(w http.ResponseWriter, r *http.Request, id string) {
	x, y := r.URL.Query().Get("x"), r.URL.Query().Get("y")
	if x == "" || y == "" {
		http.Error(w, "x and y: want two parameter names", http.StatusBadRequest)
		return
	}
	e, err := s.study(r.Context(), id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	c := s.chartsOf(id, e)
	e.mu.RUnlock()
	ct, err := c.Contour(x, y)
	switch {
	case errors.Is(err, studycharts.ErrNoContour):
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	default:
		writeJSON(w, ct)
	}
}
