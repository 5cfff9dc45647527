#!/usr/bin/env bash
# Deploys Transcribe to Yandex Cloud: function zips, the web app, Terraform, migrations, the web app's upload.
# Safe to run again: unchanged code gives byte-identical zips, so Terraform leaves those functions alone.
#
#   ./deploy.sh            build, apply, migrate, upload the web app, print the URLs
#   ./deploy.sh --plan     build the zips and show what Terraform would change; change nothing
#   ./deploy.sh --dry-run  for tests (also with --plan): a real run's steps, printing each yc/terraform command before running it.
#                          It RUNS the yc and terraform found on PATH, so it refuses unless TRANSCRIBE_STUB_TOOLS=1
#                          says those are recording stubs. Migrations are printed, not run.
#
# Needs: yc (logged in: `yc init`), terraform >= 1.6, Python 3.12, node + npm, infra/terraform.tfvars, and the state
# bucket: TF_STATE_BUCKET plus its key in TF_STATE_ACCESS_KEY / TF_STATE_SECRET_KEY (see infra/README.md).
# Optional: SKIP_MIGRATIONS=1 (run them yourself, e.g. from a bastion), VITE_API_BASE_URL (default: same origin),
# TRANSCRIBE_VENV (default .venv).
set -euo pipefail
cd "$(dirname "$0")"

usage() { sed -n '5,9s/^# \{0,1\}//p' "$0"; }
mode=apply
dry=no
while [ $# -gt 0 ]; do
  case "$1" in
    --plan) mode=plan ;;
    --dry-run) dry=yes ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'deploy: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not on PATH — $2"; }
# Every yc/terraform/npm call goes through here, so a dry run shows exactly what a real run does (on fd 3, a copy
# of stderr, so the line survives when a call's own stderr is silenced).
exec 3>&2
run() {
  if [ "$dry" = yes ]; then { printf 'would run:'; printf ' %q' "$@"; printf '\n'; } >&3; fi
  "$@"
}
# A string variable from infra/terraform.tfvars (simple `name = "value"` lines), empty when absent.
tfvar() { sed -nE "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"([^\"]*)\".*/\1/p" infra/terraform.tfvars | tail -n 1; }

if [ "$dry" = yes ] && [ "${TRANSCRIBE_STUB_TOOLS:-}" != 1 ]; then
  die "--dry-run executes the yc/terraform on PATH; set TRANSCRIBE_STUB_TOOLS=1 once recording stubs come first"
fi

# --- prerequisites -------------------------------------------------------------------------------------------------
need yc "install the Yandex Cloud CLI (https://yandex.cloud/en/docs/cli/quickstart) and run 'yc init'"
need terraform "install Terraform >= 1.6 (https://developer.hashicorp.com/terraform/install)"
python=$(scripts/find_python.sh) || die "Python 3.12 is required (see the message above)"
need node "install Node.js 20 or newer: it builds the web app"
need npm "install npm (it comes with Node.js)"
[ -f infra/terraform.tfvars ] ||
  die "infra/terraform.tfvars is missing: cp infra/terraform.tfvars.example infra/terraform.tfvars and fill it in"
[ -n "${TF_STATE_BUCKET:-}" ] || die "set TF_STATE_BUCKET to the Terraform state bucket (infra/README.md, step 2)"
export AWS_ACCESS_KEY_ID="${TF_STATE_ACCESS_KEY:-${AWS_ACCESS_KEY_ID:-}}"
export AWS_SECRET_ACCESS_KEY="${TF_STATE_SECRET_KEY:-${AWS_SECRET_ACCESS_KEY:-}}"
if [ -z "$AWS_ACCESS_KEY_ID" ] || [ -z "$AWS_SECRET_ACCESS_KEY" ]; then
  die "set TF_STATE_ACCESS_KEY and TF_STATE_SECRET_KEY (the state bucket's static key, infra/README.md, step 2)"
fi
migrate=yes
if [ "${SKIP_MIGRATIONS:-}" = 1 ]; then
  migrate=no
elif [ "$mode" != plan ] && ! grep -Eq '^[[:space:]]*deployer_cidrs[[:space:]]*=[[:space:]]*\[[[:space:]]*"' infra/terraform.tfvars; then
  die "migrations run from this machine: set deployer_cidrs = [\"<your public IP>/32\"] in infra/terraform.tfvars,
        or SKIP_MIGRATIONS=1 to run them yourself (infra/README.md, Migrations)"
fi
tf() { run terraform -chdir=infra "$@"; }

# --- build ---------------------------------------------------------------------------------------------------------
# The venv's installed versions are what requirements.txt pins; scripts/venv.sh refreshes it when pyproject changes.
if [ -n "${TRANSCRIBE_VENV:-}" ]; then
  venv=$TRANSCRIBE_VENV
  [ -x "$venv/bin/python" ] || die "TRANSCRIBE_VENV=$venv has no bin/python"
else
  venv=.venv
  scripts/venv.sh local
fi
say "function zips (build/functions)"
"$venv/bin/python" scripts/build_functions.py --out build/functions

if [ "$mode" != plan ]; then
  say "web app (frontend/dist)"
  (cd frontend && run npm ci --no-audit --no-fund --loglevel=error &&
    VITE_API_BASE_URL="${VITE_API_BASE_URL:-}" run npm run --silent build)
fi

# --- infrastructure ------------------------------------------------------------------------------------------------
say "terraform"
if [ -z "${YC_TOKEN:-}" ] && [ -z "${YC_SERVICE_ACCOUNT_KEY_FILE:-}" ]; then
  YC_TOKEN=$(run yc iam create-token)
  export YC_TOKEN
fi
tf init -input=false -reconfigure -backend-config="bucket=$TF_STATE_BUCKET"

# PUBLIC_BASE_URL (AssemblyAI's webhook target) is the gateway's URL, which exists only once the gateway does. With a
# custom domain (or an explicit public_base_url) it is known upfront; otherwise it comes from the state, and on the
# very first deploy from a first apply, followed by a second apply that hands it to the functions.
url_args=()
first_deploy=no
if [ -z "$(tfvar custom_domain)" ] && [ -z "$(tfvar public_base_url)" ]; then
  known=$(tf output -raw api_url 2>/dev/null || true)
  case "$known" in
    https://*) url_args=(-var "public_base_url=$known") ;;
    *) first_deploy=yes ;;
  esac
fi

if [ "$mode" = plan ]; then
  tf plan -input=false ${url_args[@]+"${url_args[@]}"}
  [ "$first_deploy" = no ] || echo "(first deploy: the apply will run twice, the second time with the gateway's URL)"
  exit 0
fi

tf apply -input=false -auto-approve ${url_args[@]+"${url_args[@]}"}
if [ "$first_deploy" = yes ]; then
  api_url=$(tf output -raw api_url)
  say "terraform, again: the functions learn the gateway's URL ($api_url)"
  tf apply -input=false -auto-approve -var "public_base_url=$api_url"
fi

# --- database schema -----------------------------------------------------------------------------------------------
say "migrations (Alembic, from this machine)"
if [ "$migrate" = no ]; then
  echo "skipped (SKIP_MIGRATIONS=1): run DATABASE_URL=\$(terraform -chdir=infra output -raw migration_database_url) $venv/bin/python -m alembic upgrade head"
else
  db_url=$(tf output -raw migration_database_url)
  if [ "$dry" = yes ]; then
    echo "would run: ENV=prod DATABASE_URL=<terraform output migration_database_url> $venv/bin/python -m alembic upgrade head"
  else
    # A freshly created public address takes a moment to resolve and to be admitted by the security group.
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
      if ENV=prod DATABASE_URL="$db_url" "$venv/bin/python" -m alembic upgrade head; then break; fi
      [ "$attempt" -lt 10 ] || die "migrations failed: is deployer_cidrs your current public IP?"
      echo "   database not reachable yet (attempt $attempt/10), retrying in 20 s"
      sleep 20
    done
  fi
fi

# --- web app -------------------------------------------------------------------------------------------------------
say "upload the web app"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY # yc uploads as you (IAM), not with the state bucket's key
spa_bucket=$(tf output -raw spa_bucket)
[ "$dry" = yes ] || [ -f frontend/dist/index.html ] || die "frontend/dist/index.html is missing: the build failed?"
run yc storage s3 cp --recursive frontend/dist/ "s3://$spa_bucket/"
# index.html names the hashed asset files of this build: browsers must revalidate it, the assets never change.
run yc storage s3 cp --cache-control no-cache --content-type "text/html; charset=utf-8" \
  frontend/dist/index.html "s3://$spa_bucket/index.html"

# --- summary -------------------------------------------------------------------------------------------------------
public_url=$(tf output -raw public_url)
say "Transcribe is deployed"
echo "    web app:  $public_url/"
echo "    API:      $public_url/api/v1"
echo "    zips:"
for zip in build/functions/*.zip; do
  printf '      %-24s %6s KB\n' "$(basename "$zip")" "$(($(wc -c <"$zip") / 1024))"
done
echo "    (built with $("$python" --version 2>&1))"
