# Sourced by scripts/deploy and scripts/deploy-single-account (not run on its own). The code
# bucket and the two artifacts in it: the rotator jar and the policy file. Uses the caller's
# run/capture/show/die/fail, DRY_RUN and REGION.

# ensure_code_bucket BUCKET OWNER: take BUCKET when account OWNER owns it; create it (versioned,
# encrypted, public access blocked, ACLs disabled, TLS only) when it does not exist; refuse (exit 2)
# when it exists but is not OWNER's.
ensure_code_bucket() {
  local bucket="$1" owner="$2" err
  if [[ $DRY_RUN -eq 1 ]]; then
    show aws s3api head-bucket --region "$REGION" --bucket "$bucket" --expected-bucket-owner "$owner"
    create_code_bucket "$bucket" "$owner"
    return 0
  fi
  if err="$(aws s3api head-bucket --region "$REGION" --bucket "$bucket" --expected-bucket-owner "$owner" 2>&1 >/dev/null)"; then
    echo "deploy: code bucket $bucket (account $owner) is there; using it as it is"
    return 0
  fi
  case "$err" in
    *"Not Found"*|*"(404)"*|*NoSuchBucket*)
      echo "deploy: creating code bucket $bucket in account $owner"
      create_code_bucket "$bucket" "$owner" ;;
    *Forbidden*|*"(403)"*|*AccessDenied*)
      die "code bucket $bucket exists but account $owner does not own it (or may not read it): choose another CODE_BUCKET" ;;
    *) fail "cannot check code bucket $bucket: ${err//$'\n'/ }" ;;
  esac
}

create_code_bucket() {
  local bucket="$1" owner="$2" location=()
  [[ "$REGION" == us-east-1 ]] || location=(--create-bucket-configuration "LocationConstraint=$REGION")
  capture "" aws s3api create-bucket --region "$REGION" --bucket "$bucket" "${location[@]}" \
    --object-ownership BucketOwnerEnforced --output text --query Location >/dev/null
  run aws s3api put-public-access-block --region "$REGION" --bucket "$bucket" --expected-bucket-owner "$owner" \
    --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
  run aws s3api put-bucket-versioning --region "$REGION" --bucket "$bucket" --expected-bucket-owner "$owner" \
    --versioning-configuration Status=Enabled
  run aws s3api put-bucket-encryption --region "$REGION" --bucket "$bucket" --expected-bucket-owner "$owner" \
    --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}'
  run aws s3api put-bucket-policy --region "$REGION" --bucket "$bucket" --expected-bucket-owner "$owner" \
    --policy "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"TlsOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::$bucket\",\"arn:aws:s3:::$bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"
}

# put_artifact FILE BUCKET KEY OWNER: uploads FILE (nothing printed but the dry-run line).
put_artifact() {
  local file="$1" bucket="$2" key="$3" owner="$4"
  capture "" aws s3api put-object --region "$REGION" --bucket "$bucket" --key "$key" --body "$file" \
    --expected-bucket-owner "$owner" --query ETag --output text >/dev/null \
    || fail "cannot upload $file to s3://$bucket/$key"
}

# validate_policy JAR FILE: the rotator's own check (exit 2, the problems on stderr, when invalid).
validate_policy() {
  local jar="$1" file="$2"
  if [[ $DRY_RUN -eq 1 ]]; then
    show java -jar "$jar" validate-config --region "$REGION" "$file"
    return 0
  fi
  command -v java >/dev/null 2>&1 || die "java is not installed (needed to validate the policy file $file)"
  java -jar "$jar" validate-config --region "$REGION" "$file" >/dev/null \
    || die "policy file $file is not valid (problems above); nothing was changed"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
