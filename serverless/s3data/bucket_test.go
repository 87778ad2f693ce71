package s3data

import (
	"strings"
	"testing"
)

func TestCheckBucketName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // "" for valid, else a part of the error
	}{
		{"my-hpsearch-bucket", ""},
		{"abc", ""},
		{"a.b-c.0", ""},
		{strings.Repeat("a", 63), ""},
		{"256.1.1.1", ""}, // not an address
		{"Bad_Bucket/../x", "not allowed"},
		{"ab", "3 to 63"},
		{"", "3 to 63"},
		{strings.Repeat("a", 64), "3 to 63"},
		{"MyBucket", "not allowed"},
		{"mybucket-", "begin and end"},
		{".mybucket", "begin and end"},
		{"my..bucket", "adjacent dots"},
		{"my_bucket", "not allowed"},
		{"my bucket", "not allowed"},
		{"my/bucket", "not allowed"},
		{"myBucket", "not allowed"},
		{"192.168.5.4", "IP address"},
		{"xn--bucket", "begin with"},
		{"sthree-bucket", "begin with"},
		{"bucket-s3alias", "end with"},
		{"bucket--ol-s3", "end with"},
		{"buck\u00e9t", "not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckBucketName(tc.name)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckBucketName(%q) = %v, want nil", tc.name, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("CheckBucketName(%q) = %v, want an error saying %q", tc.name, err, tc.want)
			}
		})
	}
}
