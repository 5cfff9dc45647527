#!/usr/bin/env bash
# Deploys Transcribe to Yandex Cloud: function zips, Terraform, migrations, the web app. Safe to run again.
#   ./deploy.sh            build and apply
#   ./deploy.sh --plan     build and show what would change, apply nothing
#   ./deploy.sh --dry-run  build the zips and print every yc/terraform command instead of running it
set -euo pipefail
cd "$(dirname "$0")"

mode=apply
case "${1:-}" in
  --plan) mode=plan ;;
  --dry-run) mode=dry ;;
  "") ;;
  *) echo "usage: $0 [--plan|--dry-run]" >&2; exit 2 ;;
esac

die() { echo "deploy: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required: $2"; }
run() {
  if [ "$mode" = dry ]; then { printf 'would run:'; printf ' %q' "$@"; printf '\n'; } >&2; fi
  "$@"
}

need yc "install the Yandex Cloud CLI (https://yandex.cloud/docs/cli/quickstart) and run 'yc init'"
need terraform "install Terraform >= 1.6"
need node "install Node.js 20+ (it builds the web app)"
need npm "install npm (comes with Node.js)"
python=$(scripts/find_python.sh) || die "Python 3.12 is required (see above)"
[ -f infra/terraform.tfvars ] || die "infra/terraform.tfvars is missing: copy infra/terraform.tfvars.example and fill it in"
: "${TF_STATE_BUCKET:?set TF_STATE_BUCKET to the Terraform state bucket (see infra/README.md, Bootstrap)}"
: "${TF_STATE_ACCESS_KEY:?set TF_STATE_ACCESS_KEY (static key of the state bucket account)}"
: "${TF_STATE_SECRET_KEY:?set TF_STATE_SECRET_KEY}"

echo "==> function zips"
build=build/functions
rm -rf "$build" && mkdir -p "$build"
scripts/venv.sh local >/dev/null
for dir in functions/*/; do
  name=$(basename "$dir")
  [ -f "$dir/index.py" ] || continue
  stage=$(mktemp -d)
  mkdir -p "$stage/functions"
  cp functions/__init__.py "$stage/functions/"
  cp -r "$dir" "$stage/functions/$name"
  cp -r common "$stage/common"
  # The entrypoint is index.handler at the zip's root; it imports the function's package from there.
  printf 'from functions.%s.index import handler  # noqa: F401\n' "$name" > "$stage/index.py"
  .venv/bin/python scripts/function_requirements.py "$name" > "$stage/requirements.txt"
  find "$stage" -name '__pycache__' -prune -exec rm -rf {} +
  (cd "$stage" && TZ=UTC find . -exec touch -t 202001010000 {} + && zip -qrX "$OLDPWD/$build/$name.zip" .)
  rm -rf "$stage"
  printf '    %-20s %6s KB  (%s requirements)\n' "$name" "$(( $(stat -c %s "$build/$name.zip") / 1024 ))" \
    "$(unzip -p "$build/$name.zip" requirements.txt | grep -c .)"
done

echo "==> web app"
(cd frontend && npm ci --no-audit --no-fund --loglevel=error && VITE_API_BASE_URL="" npm run --silent build)

echo "==> terraform"
cd infra
run terraform init -input=false -reconfigure \
  -backend-config="bucket=$TF_STATE_BUCKET" \
  -backend-config="access_key=$TF_STATE_ACCESS_KEY" -backend-config="secret_key=$TF_STATE_SECRET_KEY"
if [ "$mode" = plan ]; then
  run terraform plan -input=false
  exit 0
fi
run terraform apply -input=false -auto-approve
api_url=$(run terraform output -raw api_url)
if ! grep -Eq '^[[:space:]]*public_base_url[[:space:]]*=' terraform.tfvars; then
  # The functions need the gateway's URL for AssemblyAI's webhook; it exists only after the first apply.
  run terraform apply -input=false -auto-approve -var "public_base_url=$api_url"
fi
db_url=$(run terraform output -raw migration_database_url)
spa_bucket=$(run terraform output -raw spa_bucket)
storage_key=$(run terraform output -raw storage_admin_access_key)
storage_secret=$(run terraform output -raw storage_admin_secret_key)
cd ..

echo "==> migrations (Alembic, from this machine)"
if [ "$mode" = dry ]; then
  echo "would run: DATABASE_URL=<from terraform output> .venv/bin/alembic upgrade head"
else
  DATABASE_URL="$db_url" .venv/bin/alembic upgrade head
fi

echo "==> upload the web app"
run env AWS_ACCESS_KEY_ID="$storage_key" AWS_SECRET_ACCESS_KEY="$storage_secret" \
  yc storage s3 cp --recursive frontend/dist/ "s3://$spa_bucket/"

echo
echo "Transcribe is deployed: $api_url"
"$python" -c 'print("(python used for builds:", __import__("sys").version.split()[0] + ")")'
