#!/usr/bin/env bash
# Fetch MNIST (or Fashion-MNIST) into the repository's data/ directory, verified by SHA-256.
#
#   bash data-scripts/fetch-data.sh                      # MNIST into data/mnist, from the mirrors
#   bash data-scripts/fetch-data.sh --from DIR           # copy from a local directory instead
#   bash data-scripts/fetch-data.sh --fashion            # Fashion-MNIST into data/fashion-mnist
#
# Every file is checked against its published SHA-256 (or, for a copy that a mirror or a
# distribution recompressed, against the SHA-256 of its decompressed content) before it is
# moved into place, so the destination never holds a partial or unverified file. Files that
# are already there and verify are kept, so running the script twice is harmless.
#
# Exit status: 0 when all four files are in place and verified, 1 when some file could not be
# obtained in a verified copy, 2 on a usage error. Works with bash 3.2 (macOS) and later.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bash data-scripts/fetch-data.sh [options]

Puts the four standard files of MNIST (or Fashion-MNIST) into <repository>/data/mnist
(or data/fashion-mnist), each verified against its published SHA-256.

Options:
  --from DIR            Copy the files from DIR (holding the .gz files, or un-gzipped ones)
                        instead of downloading them.
  --fashion             Fashion-MNIST instead of MNIST (same as --dataset fashion-mnist).
  --dataset NAME        mnist (default) or fashion-mnist.
  --dest DIR            Put the files in DIR instead of <repository>/data/<dataset>.
  -h, --help            Show this help.

Sources, in order, when --from is not given:
  MNIST          the mirrors in $MNIST_MIRRORS, else ossci-datasets (S3), then Google's
                 CVDF mirror, then yann.lecun.com.
  Fashion-MNIST  Debian's package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist,
                 `apt-get install dataset-fashion-mnist`), then the mirrors in
                 $FASHION_MNIST_MIRRORS, else Zalando's.
A mirror is a base URL to which the file name is appended (file:// URLs work too).
EOF
}

die_usage() {
    echo "fetch-data.sh: $1 (see --help)" >&2
    exit 2
}

# ---------------------------------------------------------------------------------------------
# Arguments
dataset=mnist
from=""
dest=""
while [ $# -gt 0 ]; do
    case "$1" in
        --from) [ $# -ge 2 ] || die_usage "--from needs a directory"; from="$2"; shift 2 ;;
        --from=*) from="${1#--from=}"; shift ;;
        --dest) [ $# -ge 2 ] || die_usage "--dest needs a directory"; dest="$2"; shift 2 ;;
        --dest=*) dest="${1#--dest=}"; shift ;;
        --dataset) [ $# -ge 2 ] || die_usage "--dataset needs a name"; dataset="$2"; shift 2 ;;
        --dataset=*) dataset="${1#--dataset=}"; shift ;;
        --fashion | --fashion-mnist) dataset=fashion-mnist; shift ;;
        --mnist) dataset=mnist; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die_usage "unknown argument '$1'" ;;
    esac
done
case "$dataset" in
    mnist | fashion-mnist) ;;
    *) die_usage "unknown dataset '$dataset' (mnist or fashion-mnist)" ;;
esac
if [ -n "$from" ] && [ ! -d "$from" ]; then
    echo "fetch-data.sh: --from $from: no such directory" >&2
    exit 1
fi

repository="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -n "$dest" ] || dest="$repository/data/$dataset"

FILES="train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz"

# ---------------------------------------------------------------------------------------------
# Checksums (the same values as Sources/Datasets/DatasetChecksums.swift).

# The SHA-256 of the .gz file as published.
file_sha256() {
    case "$dataset/$1" in
        # MNIST: the canonical files.
        mnist/train-images-idx3-ubyte.gz) echo 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609 ;;
        mnist/train-labels-idx1-ubyte.gz) echo 3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c ;;
        mnist/t10k-images-idx3-ubyte.gz) echo 8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6 ;;
        mnist/t10k-labels-idx1-ubyte.gz) echo f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6 ;;
        # Fashion-MNIST: the files of Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1.
        # Debian recompressed Zalando's files, whose own .gz checksums (Zalando publishes only
        # MD5s: 8d4fb7e6c68d591d4c3dfef9ec88bf0d, 25c81989df183df01b3e8a0aad5dffbe,
        # bef4ecab320f06d8554ea6380940ec79, bb300cfdad3c16e7a12a480ee83cd310) could not be
        # checked here; Zalando's downloads are verified by their content below.
        fashion-mnist/train-images-idx3-ubyte.gz) echo b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7 ;;
        fashion-mnist/train-labels-idx1-ubyte.gz) echo 0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056 ;;
        fashion-mnist/t10k-images-idx3-ubyte.gz) echo cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa ;;
        fashion-mnist/t10k-labels-idx1-ubyte.gz) echo 8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05 ;;
    esac
}

# The SHA-256 of the decompressed content, computed from the files above. (For Fashion-MNIST
# computed from Debian's files; not checked against a download from Zalando, which this
# machine could not reach.)
content_sha256() {
    case "$dataset/$1" in
        mnist/train-images-idx3-ubyte.gz) echo ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db ;;
        mnist/train-labels-idx1-ubyte.gz) echo 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5 ;;
        mnist/t10k-images-idx3-ubyte.gz) echo 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7 ;;
        mnist/t10k-labels-idx1-ubyte.gz) echo ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2 ;;
        fashion-mnist/train-images-idx3-ubyte.gz) echo c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888 ;;
        fashion-mnist/train-labels-idx1-ubyte.gz) echo bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9 ;;
        fashion-mnist/t10k-images-idx3-ubyte.gz) echo 5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b ;;
        fashion-mnist/t10k-labels-idx1-ubyte.gz) echo 0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34 ;;
    esac
}

if command -v sha256sum >/dev/null 2>&1; then
    sha256_stdin() { sha256sum | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
    sha256_stdin() { shasum -a 256 | cut -d ' ' -f 1; }
else
    echo "fetch-data.sh: needs sha256sum (coreutils) or shasum (perl) to verify the files" >&2
    exit 1
fi
command -v gzip >/dev/null 2>&1 || { echo "fetch-data.sh: needs gzip" >&2; exit 1; }

# verify FILE NAME: succeeds when FILE is the published NAME, byte for byte or by content.
verify() {
    local file="$1" name="$2" actual
    actual="$(sha256_stdin <"$file")"
    [ "$actual" = "$(file_sha256 "$name")" ] && return 0
    # A recompressed copy: compare the decompressed content (a damaged file fails gzip -t).
    gzip -t "$file" 2>/dev/null || return 1
    actual="$(gzip -dc "$file" | sha256_stdin)"
    [ "$actual" = "$(content_sha256 "$name")" ]
}

# ---------------------------------------------------------------------------------------------
# Temporary files live next to their destination and are removed on any exit.
mkdir -p "$dest" || { echo "fetch-data.sh: cannot create $dest" >&2; exit 1; }
temporaries=()
cleanup() {
    local file
    for file in ${temporaries[@]+"${temporaries[@]}"}; do rm -f "$file"; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# new_temporary NAME: sets $temporary to a new empty file next to the destination of NAME.
new_temporary() {
    temporary="$(mktemp "$dest/.$1.partial.XXXXXX")" || return 1
    temporaries+=("$temporary")
}

# install_file TEMPORARY NAME HOW: moves a verified temporary file into place and reports it.
install_file() {
    chmod 0644 "$1" && mv -f -- "$1" "$dest/$2" || { echo "  FAILED    $2: cannot move it into $dest" >&2; return 1; }
    echo "  $3"
}

# ---------------------------------------------------------------------------------------------
# Sources. Each fetch_* function writes the file NAME to TEMPORARY and fails if it cannot.

download() {
    local url="$1" output="$2"
    if command -v curl >/dev/null 2>&1; then
        curl --fail --silent --show-error --location --retry 2 --connect-timeout 20 --max-time 900 \
            --output "$output" "$url"
    elif command -v wget >/dev/null 2>&1; then
        case "$url" in
            file://*) cp -- "${url#file://}" "$output" ;;
            *) wget --quiet --tries=3 --timeout=30 --output-document="$output" "$url" ;;
        esac
    else
        echo "    (needs curl or wget to download)" >&2
        return 1
    fi
}

# copy_from DIR NAME TEMPORARY: the .gz file of DIR, or its un-gzipped twin compressed here.
copy_from() {
    local directory="$1" name="$2" output="$3"
    if [ -f "$directory/$name" ]; then
        cp -- "$directory/$name" "$output"
    elif [ -f "$directory/${name%.gz}" ]; then
        gzip -n -c -- "$directory/${name%.gz}" >"$output"
    else
        echo "    $directory has neither $name nor ${name%.gz}" >&2
        return 1
    fi
}

if [ "$dataset" = mnist ]; then
    mirrors="${MNIST_MIRRORS:-https://ossci-datasets.s3.amazonaws.com/mnist/ https://storage.googleapis.com/cvdf-datasets/mnist/ http://yann.lecun.com/exdb/mnist/}"
    debian_directory=""
else
    mirrors="${FASHION_MNIST_MIRRORS:-http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/}"
    debian_directory="/usr/share/datasets/fashion-mnist"
fi

# fetch NAME: puts a verified NAME into $dest, or fails with the reasons on stderr.
fetch() {
    local name="$1" target="$dest/$1" temporary mirror
    if [ -f "$target" ]; then
        if verify "$target" "$name"; then
            echo "  ok        $name (already present)"
            return 0
        fi
        echo "  replacing $name: it does not match its checksum"
    fi
    new_temporary "$name" || { echo "  FAILED    $name: cannot create a file in $dest" >&2; return 1; }

    if [ -n "$from" ]; then
        if copy_from "$from" "$name" "$temporary" && verify "$temporary" "$name"; then
            install_file "$temporary" "$name" "copied    $name from $from"
            return
        fi
        echo "  FAILED    $name: the copy in $from is missing or does not match the published SHA-256" >&2
        return 1
    fi

    if [ -n "$debian_directory" ] && [ -d "$debian_directory" ]; then
        if copy_from "$debian_directory" "$name" "$temporary" 2>/dev/null && verify "$temporary" "$name"; then
            install_file "$temporary" "$name" "copied    $name from $debian_directory"
            return
        fi
        echo "    $debian_directory/$name: missing or not matching, trying the mirrors" >&2
    fi

    for mirror in $mirrors; do
        mirror="${mirror%/}/"
        if download "$mirror$name" "$temporary"; then
            if verify "$temporary" "$name"; then
                install_file "$temporary" "$name" "fetched   $name from $mirror"
                return
            fi
            echo "    $mirror$name does not match the published SHA-256, trying the next mirror" >&2
        else
            echo "    could not download $mirror$name, trying the next mirror" >&2
        fi
    done
    echo "  FAILED    $name: no source gave a verified copy" >&2
    return 1
}

echo "Fetching $dataset into $dest"
failed=""
for name in $FILES; do
    fetch "$name" || failed="$failed $name"
done
if [ -n "$failed" ]; then
    echo "fetch-data.sh: could not get a verified copy of:$failed" >&2
    if [ -n "$from" ]; then
        echo "fetch-data.sh: check that $from holds the original $dataset files, or run without --from to download them" >&2
    else
        echo "fetch-data.sh: check the network (or name other mirrors in MNIST_MIRRORS / FASHION_MNIST_MIRRORS), or copy the files from elsewhere with --from DIR" >&2
    fi
    exit 1
fi
echo "All 4 $dataset files are in $dest and match their SHA-256 checksums."
