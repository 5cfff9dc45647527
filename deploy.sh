#!/usr/bin/env bash
# Deploys Transcribe to Yandex Cloud: the web app, function zips, Terraform, the token keys, the schema (in the
# cloud), the mail domain. Safe to run again: unchanged code gives byte-identical zips, so Terraform leaves those
# functions alone, and the migration is a no-op at head.
#
#   ./deploy.sh            build; publish the token keys and upload the web app's files, then apply (the gateway then
#                          serves this build's index.html), publish the keys again, migrate, register the mail
#                          domain (a warning, not a stop, when that fails), print the URLs
#   ./deploy.sh --plan     build the zips and show what Terraform would change; change nothing
#   ./deploy.sh --dry-run  (also with --plan) build the zips, then PRINT every yc/terraform/npm command a real run
#                          would issue, in order, without running any; <...> marks values only a real run knows
#
# Needs: yc (logged in: `yc init`), terraform >= 1.9, Python 3.12, node + npm, infra/terraform.tfvars, and the state
# bucket: TF_STATE_BUCKET plus its key in TF_STATE_ACCESS_KEY / TF_STATE_SECRET_KEY (see infra/README.md).
# Optional: VITE_API_BASE_URL (default: same origin), TRANSCRIBE_VENV (default .venv), TRANSCRIBE_MIGRATE_RETRY_SECONDS
# (pause between the 5 attempts of the migration, default 30).
set -euo pipefail
cd "$(dirname "$0")"

usage() { sed -n '6,12s/^# \{0,1\}//p' "$0"; }
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
# Every yc/terraform/npm call goes through run or value. A dry run prints the command and runs nothing; the line
# goes to fd 3, a copy of stdout, so it shows in order even where the caller captures or redirects the output.
exec 3>&1
show() {
  local tool=$1
  shift
  [ "$tool" = yc_ ] && tool=yc
  { printf 'would run: %q' "$tool"; printf ' %q' "$@"; printf '\n'; } >&3
}
run() {
  if [ "$dry" = yes ]; then show "$@"; else "$@"; fi
}
# value PLACEHOLDER CMD...: the command's output; in a dry run PLACEHOLDER stands in for it.
value() {
  local placeholder=$1
  shift
  if [ "$dry" = yes ]; then show "$@"; printf '%s\n' "$placeholder"; else "$@"; fi
}
# A string variable from infra/terraform.tfvars (simple `name = "value"` lines), empty when absent.
tfvar() { sed -nE "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"([^\"]*)\".*/\1/p" infra/terraform.tfvars | tail -n 1; }

# --- prerequisites -------------------------------------------------------------------------------------------------
need yc "install the Yandex Cloud CLI (https://yandex.cloud/en/docs/cli/quickstart) and run 'yc init'"
need terraform "install Terraform >= 1.9 (https://developer.hashicorp.com/terraform/install)"
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
tf() { run terraform -chdir=infra "$@"; }
# yc signs with its own (IAM) identity: the state bucket's key, which Terraform's S3 backend needs, is kept from it.
yc_() { env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY yc "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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

# Built for plans too: Terraform renders the built index.html into the gateway's spec (infra/gateway.tf).
say "web app (frontend/dist)"
(cd frontend && run npm ci --no-audit --no-fund --loglevel=error &&
  VITE_API_BASE_URL="${VITE_API_BASE_URL:-}" run npm run --silent build)

# --- infrastructure ------------------------------------------------------------------------------------------------
say "terraform"
if [ -z "${YC_TOKEN:-}" ] && [ -z "${YC_SERVICE_ACCOUNT_KEY_FILE:-}" ]; then
  YC_TOKEN=$(value "<iam token>" yc_ iam create-token)
  export YC_TOKEN
fi
tf init -input=false -reconfigure -backend-config="bucket=$TF_STATE_BUCKET"

# Terraform's outputs, read once per apply while the state bucket's key is set (each `terraform output` reads the
# state from the bucket). `out NAME` prints one of them; a dry run prints <NAME> instead.
read_outputs() {
  if [ "$dry" = yes ]; then show terraform -chdir=infra output -json; return; fi
  terraform -chdir=infra output -json >"$tmp/outputs.json" ||
    die "terraform output failed (above): the state could not be read, so nothing was changed"
}
out() {
  if [ "$dry" = yes ]; then printf '<%s>\n' "$1"; return; fi
  "$venv/bin/python" -c '
import json, sys
outputs = json.load(open(sys.argv[1]))
if sys.argv[2] not in outputs:
    sys.exit(f"deploy: Terraform has no output {sys.argv[2]!r}")
value = outputs[sys.argv[2]]["value"]
print(value if isinstance(value, str) else json.dumps(value))' "$tmp/outputs.json" "$1"
}

# PUBLIC_BASE_URL (AssemblyAI's webhook target) is the gateway's URL, which exists only once the gateway does. With a
# custom domain (or an explicit public_base_url) it is known upfront. Otherwise it comes from the state. Only an EMPTY
# state is a first deploy: a bootstrap apply then creates everything that does not need the URL (the gateway serves a
# static 503) and the real apply follows with it (infra/README.md, "PUBLIC_BASE_URL"). Any error reading the state
# stops here: taking it for a first deploy would run the bootstrap apply on a live deployment.
url_args=()
first_deploy=no
if [ "$dry" = yes ]; then
  show terraform -chdir=infra state list
  echo "    (an empty state is the first deploy: a real run then first runs"
  if [ "$mode" = plan ]; then
    echo "     terraform -chdir=infra plan -input=false -var bootstrap=true, and stops there)"
  else
    echo "     terraform -chdir=infra apply -input=false -auto-approve -var bootstrap=true and publishes the token keys)"
  fi
else
  resources=$(terraform -chdir=infra state list) ||
    die "terraform state list failed (above): the state could not be read, so nothing was changed"
  [ -n "$resources" ] || first_deploy=yes
fi
needs_url=no
[ -z "$(tfvar custom_domain)" ] && [ -z "$(tfvar public_base_url)" ] && needs_url=yes
if [ "$first_deploy" = no ]; then
  read_outputs
  if [ "$needs_url" = yes ]; then
    api_url=$(out api_url 2>/dev/null) || api_url=""
    case "$api_url" in
      https://* | "<api_url>") url_args=(-var "public_base_url=$api_url") ;;
      # Resources but no gateway yet: a bootstrap apply that stopped halfway. Nothing live needs the URL yet.
      *) first_deploy=yes ;;
    esac
  fi
fi

if [ "$mode" = plan ]; then
  if [ "$first_deploy" = yes ] && [ "$needs_url" = yes ]; then
    tf plan -input=false -var bootstrap=true
    echo "(first deploy: this is the bootstrap apply; a second apply then hands the gateway's URL to the functions)"
  else
    tf plan -input=false ${url_args[@]+"${url_args[@]}"}
  fi
  exit 0
fi

# --- token keys ----------------------------------------------------------------------------------------------------
# The gateway's JWT authorizer verifies access tokens against <token_keys_url>/jwks.json. Published from the state's
# keys before any apply that could make auth sign with a key (so never a token the gateway cannot check), and again
# after it, rebuilt from Terraform's outputs every time.
publish_keys() {
  say "publish the token keys (jwks.json, openid-configuration)"
  out token_public_keys >"$tmp/keys.json"
  run "$venv/bin/python" scripts/token_keys.py --keys "$tmp/keys.json" --base-url "$(out token_keys_url)" \
    --out "$tmp/keys"
  local bucket doc
  bucket=$(out keys_bucket)
  for doc in jwks.json .well-known/openid-configuration; do
    run yc_ storage s3 cp --content-type application/json --cache-control "max-age=300" \
      "$tmp/keys/$doc" "s3://$bucket/$doc"
  done
}

# --- web app -------------------------------------------------------------------------------------------------------
# The gateway serves index.html itself (rendered into its spec, with the security headers), and the files it names
# from the web bucket. Those have content-hashed names, so this build's files go up before the apply that makes its
# index.html live, and old ones stay for pages still open.
upload_spa() {
  say "upload the web app's files"
  local bucket file
  bucket=$(out spa_bucket)
  [ "$dry" = yes ] || [ -f frontend/dist/index.html ] || die "frontend/dist/index.html is missing: the build failed?"
  run yc_ storage s3 cp --recursive --cache-control "public, max-age=31536000, immutable" \
    frontend/dist/assets/ "s3://$bucket/assets/"
  for file in frontend/dist/*; do
    if [ -f "$file" ] && [ "$file" != frontend/dist/index.html ]; then
      run yc_ storage s3 cp --cache-control "max-age=3600" "$file" "s3://$bucket/${file#frontend/dist/}"
    fi
  done
}

if [ "$first_deploy" = yes ] && [ "$needs_url" = yes ]; then
  tf apply -input=false -auto-approve -var bootstrap=true
  read_outputs
  publish_keys
  upload_spa
  api_url=$(out api_url)
  say "terraform, again: the functions that need the gateway's URL ($api_url)"
  url_args=(-var "public_base_url=$api_url")
elif [ "$first_deploy" = no ]; then
  # A signing key must be published before auth signs with it: a key new in token_key_ids is deployed (published)
  # first, then made token_signing_key_id (infra/README.md, "Token keys: rotation").
  signing=$(tfvar token_signing_key_id)
  if [ -n "$signing" ] && [ "$dry" = no ] && ! out token_public_keys | grep -q "\"$signing\""; then
    die "token_signing_key_id \"$signing\" is not published yet: deploy with it in token_key_ids first, then switch"
  fi
  publish_keys
  upload_spa
fi
tf apply -input=false -auto-approve ${url_args[@]+"${url_args[@]}"}
read_outputs
publish_keys
# A first deploy with a custom domain has no bootstrap apply: the web bucket exists only now.
[ "$first_deploy" = yes ] && [ "$needs_url" = no ] && upload_spa

# --- database schema -----------------------------------------------------------------------------------------------
# The migrate function runs Alembic inside the database's network; the database has no public address. It answers
# {"revision": "<head>"}; anything else (an error object, no output) stops the deploy.
say "migrations (the migrate function)"
migrate_id=$(out migrate_function_id)
for attempt in 1 2 3 4 5; do
  result=$(value '{"revision": "<head>"}' yc_ serverless function invoke "$migrate_id" 2>"$tmp/invoke.err") || true
  if revision=$("$venv/bin/python" -c '
import json, sys
try:
    answer = json.loads(sys.argv[1])
except ValueError:
    sys.exit(1)
if not isinstance(answer, dict) or not answer.get("revision") or "errorMessage" in answer:
    sys.exit(1)
print(answer["revision"])' "$result"); then
    if [ "$dry" = yes ]; then
      echo "    (a real run goes on only when the function answers {\"revision\": ...}; 5 attempts)"
    else
      echo "    database schema at revision $revision"
    fi
    break
  fi
  printf '    migrate failed (attempt %s/5):\n%s\n%s\n' "$attempt" "$result" "$(cat "$tmp/invoke.err")" >&2
  name=$(tfvar name)
  [ "$attempt" -lt 5 ] || die "the migrate function did not succeed; its logs: yc logging read --group-name ${name:-transcribe}"
  # A function just attached to the network, or a database still starting, gets another chance.
  sleep "${TRANSCRIBE_MIGRATE_RETRY_SECONDS:-30}"
done

# --- mail sender ---------------------------------------------------------------------------------------------------
# Password-reset mail goes out through Postbox, which sends only from a registered domain; the provider has no
# resource for it, so it is registered here (idempotent: an existing one is left alone), as the postbox-admin service
# account: Postbox takes a service account's IAM token and registers the domain in that account's folder. Last, and
# not fatal: the web app works without mail, and a failure says what to do by hand.
say "register the mail sender's domain in Postbox"
mail_domain=$(out mail_domain)
mail_failed() {
  printf '\nWARNING: the mail domain %s was not registered in Postbox (%s).\n' "$mail_domain" "$1" >&2
  printf '  Password-reset mail is refused until it is. By hand: Postbox in the console of folder %s, Create\n' \
    "$(tfvar folder_id)" >&2
  printf '  address %s, selector %s, the key from "terraform -chdir=infra output -raw mail_dkim_private_key";\n' \
    "$mail_domain" "$(out mail_dkim_selector)" >&2
  printf '  or run ./deploy.sh again once the cause above is fixed.\n' >&2
}
postbox_admin=$(out postbox_admin_service_account_id)
if postbox_token=$(value "<postbox-admin iam token>" yc_ iam create-token --impersonate-service-account-id "$postbox_admin" 2>"$tmp/token.err"); then
  (umask 077 && out mail_dkim_private_key >"$tmp/dkim.pem")
  if ! POSTBOX_IAM_TOKEN="$postbox_token" run "$venv/bin/python" scripts/mail_sender.py --domain "$mail_domain" \
    --selector "$(out mail_dkim_selector)" --dkim-key-file "$tmp/dkim.pem"; then
    mail_failed "Postbox refused the registration: see above"
  fi
else
  cat "$tmp/token.err" >&2
  mail_failed "no IAM token for the postbox-admin account $postbox_admin: the deployer needs iam.serviceAccounts.tokenCreator on it (admin on the folder has it; or set deployer_member)"
fi

# --- summary -------------------------------------------------------------------------------------------------------
public_url=$(out public_url)
if [ "$dry" = yes ]; then
  say "dry run: nothing was run; the commands above are what a real run issues"
else
  say "Transcribe is deployed"
fi
echo "    web app:  $public_url/"
echo "    API:      $public_url/api/v1"
echo "    zips:"
for zip in build/functions/*.zip; do
  printf '      %-24s %6s KB\n' "$(basename "$zip")" "$(($(wc -c <"$zip") / 1024))"
done
echo "    (built with $("$python" --version 2>&1))"
