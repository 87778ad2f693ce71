package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// BaseImage is the image the worker's container image is built from:
// Amazon Linux 2023 with no language runtime, as the provided.al2023
// runtime of a zip function.
const BaseImage = "public.ecr.aws/lambda/provided:al2023"

// ImageBootstrap is where the worker is in the image, and so what its
// entry point runs: hpsearch serves Lambda invocations when started as
// bootstrap in a Lambda runtime.
const ImageBootstrap = "/var/runtime/bootstrap"

// WorkerContext is the name of the build context that holds the worker
// (the file bootstrap) beside the user's directory, the main context:
// docker build --build-context hpsearch=DIR.
const WorkerContext = "hpsearch"

// ErrImage marks an image or image URI that cannot be used.
var ErrImage = errors.New("deploy: image")

// Image describes the container image of a function that runs command
// studies: hpsearch's worker as its entry point and the user's code.
type Image struct {
	// CodeDir is the user's directory, absolute: the directory of the
	// spec of the command study. It is copied into the image at the same
	// path, because a trial's command runs in the spec's directory as the
	// scheduler names it (worker.Request.Workdir). Required.
	CodeDir string
}

// Validate checks that CodeDir can be written into a Dockerfile and
// copied into the image. Errors wrap ErrImage and name the field.
func (img Image) Validate() error {
	d := img.CodeDir
	switch {
	case d == "":
		return fmt.Errorf("%w: code dir: empty", ErrImage)
	case !filepath.IsAbs(d) || filepath.Clean(d) != d:
		return fmt.Errorf("%w: code dir %q: want a clean absolute path", ErrImage, d)
	case strings.ContainsAny(d, "\"\\$`") || strings.ContainsFunc(d, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("%w: code dir %q: a Dockerfile cannot name it (quotes, backslashes, $, ` or control characters): move the code to a plainer path", ErrImage, d)
	case d == "/" || d == "/var/runtime" || strings.HasPrefix(d, "/var/runtime/") || strings.HasPrefix(d, "/proc/") || strings.HasPrefix(d, "/sys/") || strings.HasPrefix(d, "/dev/"):
		return fmt.Errorf("%w: code dir %q: the image needs that path for itself", ErrImage, d)
	case d == "/tmp" || strings.HasPrefix(d, "/tmp/"):
		return fmt.Errorf("%w: code dir %q: Lambda mounts an empty /tmp over the image's: move the code out of /tmp", ErrImage, d)
	}
	return nil
}

// Dockerfile returns the Dockerfile of img: BaseImage, the worker from
// the WorkerContext build context as ImageBootstrap and the entry point,
// the main build context (the user's directory) at img.CodeDir, which is
// also the working directory, and HPSEARCH_COMMANDS=1, so that the
// function runs the commands of command studies (worker.EnvCommands).
func Dockerfile(img Image) (string, error) {
	if err := img.Validate(); err != nil {
		return "", err
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var b strings.Builder
	fmt.Fprintf(&b, "# The hpsearch worker for command studies, written by hpsearch deploy --image.\n")
	fmt.Fprintf(&b, "# Build it with the user's directory as the context and the worker's\n")
	fmt.Fprintf(&b, "# directory as the %q context (the commands hpsearch printed).\n", WorkerContext)
	fmt.Fprintf(&b, "FROM %s\n", BaseImage)
	fmt.Fprintf(&b, "# What your command needs beyond Amazon Linux 2023, for example:\n")
	fmt.Fprintf(&b, "# RUN dnf install -y python3 python3-pip && dnf clean all && pip3 install scikit-learn\n")
	fmt.Fprintf(&b, "COPY --from=%s [\"bootstrap\", %s]\n", WorkerContext, q(ImageBootstrap))
	fmt.Fprintf(&b, "# The command runs in the spec's directory, at the path it has where hpsearch runs.\n")
	fmt.Fprintf(&b, "# Lambda runs it as another user, on a read-only file system but /tmp: files must be\n")
	fmt.Fprintf(&b, "# readable by all, and the command writes to $HPSEARCH_TRIAL_DIR.\n")
	fmt.Fprintf(&b, "COPY [\".\", %s]\n", q(img.CodeDir+"/"))
	fmt.Fprintf(&b, "WORKDIR %s\n", q(img.CodeDir))
	fmt.Fprintf(&b, "# Whoever may invoke this function can run programs in it: it is built for your code.\n")
	fmt.Fprintf(&b, "ENV HPSEARCH_COMMANDS=1\n")
	fmt.Fprintf(&b, "ENTRYPOINT [%s]\n", q(ImageBootstrap))
	return b.String(), nil
}

var imageURIRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([a-z0-9][a-z0-9._/-]*)(?::([\w][\w.-]{0,127})|@(sha256:[0-9a-f]{64}))$`)
})

// CheckImageURI checks that uri names an image in Amazon ECR in region,
// with a tag or a digest, as Lambda requires of a function's image.
// Errors wrap ErrImage.
func CheckImageURI(uri, region string) error {
	m := imageURIRE().FindStringSubmatch(uri)
	if m == nil {
		return fmt.Errorf("%w: image URI %q: want ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG (or @sha256:DIGEST), an image in Amazon ECR", ErrImage, uri)
	}
	if m[2] != region {
		return fmt.Errorf("%w: image URI %q: its repository is in %s, the function in %s: Lambda runs images of its own region only", ErrImage, uri, m[2], region)
	}
	return nil
}

// ImageRepository is the ECR repository deploy suggests for c's image:
// the function's name, lowercased (ECR repository names are).
func ImageRepository(c Config) string { return strings.ToLower(c.WithDefaults().Function) }

// ImagePlatform is docker's platform of c's architecture.
func ImagePlatform(c Config) string { return "linux/" + c.GOARCH() }

// ImageCommands returns the shell commands, one a line, that build the
// image of codeDir with the worker in workerDir (which holds the
// Dockerfile and bootstrap), push it to a new ECR repository of c's region
// and deploy it: ACCOUNT_ID stands for the AWS account, which only the
// credentials know. quote quotes one shell word.
func ImageCommands(c Config, codeDir, workerDir string, quote func(string) string) string {
	c = c.WithDefaults()
	repo := ImageRepository(c)
	registry := "ACCOUNT_ID.dkr.ecr." + c.Region + ".amazonaws.com"
	uri := registry + "/" + repo + ":latest"
	region := " --region " + quote(c.Region)
	var b strings.Builder
	b.WriteString("  # docker with BuildKit (buildx: Docker Desktop, or Docker 23+ with the buildx plugin) for\n")
	b.WriteString("  # --build-context and --provenance; ACCOUNT_ID is your AWS account:\n")
	b.WriteString("  # aws sts get-caller-identity --query Account --output text\n")
	fmt.Fprintf(&b, "  docker build --platform %s --provenance=false -f %s --build-context %s=%s -t %s %s\n",
		ImagePlatform(c), quote(filepath.Join(workerDir, "Dockerfile")), WorkerContext, quote(workerDir), quote(repo+":latest"), quote(codeDir))
	fmt.Fprintf(&b, "  aws ecr create-repository --repository-name %s%s   # once\n", quote(repo), region)
	fmt.Fprintf(&b, "  aws ecr get-login-password%s | docker login --username AWS --password-stdin %s\n", region, registry)
	fmt.Fprintf(&b, "  docker tag %s %s\n", quote(repo+":latest"), uri)
	fmt.Fprintf(&b, "  docker push %s\n", uri)
	arch := ""
	if c.Arch != DefaultArch {
		arch = " --arch " + quote(c.Arch)
	}
	fmt.Fprintf(&b, "  hpsearch deploy --bucket %s --function %s%s%s --image --image-uri %s\n",
		quote(c.Bucket), quote(c.Function), arch, region, uri)
	return b.String()
}

// OnRepository scopes a Permission to the image's ECR repository.
const OnRepository = "repository"

// ImageDeployerPermissions are what the deploying identity needs beyond
// DeployerPermissions to create or update a function from an image in
// ECR: Lambda reads the image with the caller's permissions, and gives
// itself access to the repository through its policy.
var ImageDeployerPermissions = []Permission{
	{Action: "ecr:BatchGetImage", On: OnRepository, Why: "let Lambda read the image"},
	{Action: "ecr:GetDownloadUrlForLayer", On: OnRepository, Why: "let Lambda read the image's layers"},
	{Action: "ecr:GetRepositoryPolicy", On: OnRepository, Why: "let Lambda check its access to the repository"},
	{Action: "ecr:SetRepositoryPolicy", On: OnRepository, Why: "let Lambda grant itself access to the repository"},
}
