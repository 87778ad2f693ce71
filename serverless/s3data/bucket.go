package s3data

import (
	"fmt"
	"net/netip"
	"strings"
)

// CheckBucketName returns an error, saying what is wrong, unless name
// follows S3's rules for a general-purpose bucket name: 3 to 63
// characters of lowercase letters, digits, dots and hyphens, beginning and
// ending with a letter or digit, no two adjacent dots, not an IPv4
// address, no "xn--" or "sthree-" prefix and no "-s3alias" or
// "--ol-s3" suffix. The CLI checks every bucket it is given (flags,
// HPSEARCH_BUCKET, a spec's backend.bucket, s3:// URLs) with it before
// any request: S3 would refuse such a name only after a round trip, with
// a less helpful error. The caller names the flag or field.
func CheckBucketName(name string) error {
	for _, c := range name {
		if c > 0x7f || !isLowerAlnum(byte(c)) && c != '.' && c != '-' {
			return fmt.Errorf("bucket name %q: character %q is not allowed (only lowercase letters, digits, dots and hyphens)", name, c)
		}
	}
	switch {
	case len(name) < 3 || len(name) > 63:
		return fmt.Errorf("bucket name %q: must be 3 to 63 characters long, not %d", name, len(name))
	case !isLowerAlnum(name[0]) || !isLowerAlnum(name[len(name)-1]):
		return fmt.Errorf("bucket name %q: must begin and end with a lowercase letter or digit", name)
	case strings.Contains(name, ".."):
		return fmt.Errorf("bucket name %q: must not hold two adjacent dots", name)
	}
	if a, err := netip.ParseAddr(name); err == nil && a.Is4() {
		return fmt.Errorf("bucket name %q: must not be an IP address", name)
	}
	for _, p := range []string{"xn--", "sthree-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("bucket name %q: must not begin with %q", name, p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3"} {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("bucket name %q: must not end with %q", name, s)
		}
	}
	return nil
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }
