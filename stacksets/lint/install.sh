#!/usr/bin/env bash
# Installs the CloudFormation linter used by the stacksets tests into stacksets/target/cfn-lint.
#
# The linter is the npm package cfn-lint (a JavaScript CloudFormation validator: resource types,
# property names and types, required properties, Ref/GetAtt/Sub targets, Conditions, Outputs).
# Its bundled resource specification is from 2019, so after installing we replace it with AWS's
# CloudFormation resource specification as shipped in @aws-cdk/cfnspec (same JSON format, 2023).
#
# Prints the path of the cfn-lint executable on success. Exit 3 means "cannot install here"
# (no npm, or the registry is unreachable); the tests skip on that and fail on anything else.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-$here/../target/cfn-lint}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
bin="$dest/node_modules/.bin/cfn-lint"
stamp="$dest/.installed"
want="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)"

if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$bin"
  exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "cannot install cfn-lint: npm not found" >&2; exit 3; }
command -v node >/dev/null 2>&1 || { echo "cannot install cfn-lint: node not found" >&2; exit 3; }

cp "$here/package.json" "$here/package-lock.json" "$dest/"
if ! (cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >"$dest/npm.log" 2>&1); then
  echo "cannot install cfn-lint: npm ci failed (see $dest/npm.log)" >&2
  tail -5 "$dest/npm.log" >&2 || true
  exit 3
fi

spec="$dest/node_modules/@aws-cdk/cfnspec/spec/specification.json"
target="$dest/node_modules/cfn-lint/data/aws_resources_specification.json"
[[ -f "$spec" && -f "$target" ]] || { echo "cfn-lint install is missing its spec files" >&2; exit 1; }
cp "$spec" "$target"
echo "$want" >"$stamp"
echo "$bin"
