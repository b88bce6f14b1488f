"""Seeding and checks of scripts/rehearse-deploy, in one process each (the aws CLI starts a Python
per call; the deployment itself still goes through scripts/deploy and the CLI).

    python3 scripts/lib/rehearsal.py seed org|single
    python3 scripts/lib/rehearsal.py roles PRESENT_PROFILE,... ABSENT_PROFILE,...
    python3 scripts/lib/rehearsal.py rotated PROFILE ACCOUNT USER...

Talks to AWS_ENDPOINT_URL (moto) with the profiles in AWS_SHARED_CREDENTIALS_FILE, which seed
writes. seed prints KEY=VALUE lines; the checks print "rotated ..." lines or one problem and exit 1.
"""

import os
import sys

import boto3

STACKSETS = "member.org.stacksets.cloudformation.amazonaws.com"
ROLE = "OrgKeyRotatorMemberRole"


def session(profile):
    return boto3.Session(profile_name=profile, region_name="us-east-1")


def write_profile(name, key_id, secret, token=None):
    with open(os.environ["AWS_SHARED_CREDENTIALS_FILE"], "a") as f:
        f.write(f"[{name}]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
        if token:
            f.write(f"aws_session_token = {token}\n")
        f.write("\n")


def assume(from_profile, role_arn, name):
    c = session(from_profile).client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="rehearsal"
    )["Credentials"]
    write_profile(name, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


def seed_users(profile, *users):
    iam = session(profile).client("iam")
    for u in users:
        iam.create_user(UserName=u)
        iam.create_access_key(UserName=u)


def seed_org():
    # moto makes a request's account the one whose IAM knows its access key, else 123456789012:
    # an unknown key is the management account
    write_profile("management", "AKIAREHEARSALMANAGEMT", "rehearsal-secret")
    org = session("management").client("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    mgmt = session("management").client("sts").get_caller_identity()["Account"]
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    out = {"ORG_ID": org_id, "MGMT": mgmt, "ROOT_ID": root, "OU": ou}
    for name in ("central", "security", "member-a", "member-b"):
        acct = org.create_account(AccountName=name, Email=f"{name}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        assume("management", f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole", name)
        out["ACCT_" + name.replace("-", "_")] = acct
    for name in ("member_a", "member_b"):
        org.move_account(
            AccountId=out["ACCT_" + name], SourceParentId=root, DestinationParentId=ou
        )
    org.enable_aws_service_access(ServicePrincipal=STACKSETS)
    org.register_delegated_administrator(AccountId=out["ACCT_central"], ServicePrincipal=STACKSETS)
    seed_users("central", "frank")
    seed_users("member-a", "alice", "bob")
    seed_users("member-b", "carol")
    return out


def seed_single():
    write_profile("single", "AKIAREHEARSALSINGLE1", "rehearsal-secret")
    seed_users("single", "dave", "erin")
    return {"CENTRAL": session("single").client("sts").get_caller_identity()["Account"]}


def roles(present, absent):
    for profile in present.split(","):
        try:
            session(profile).client("iam").get_role(RoleName=ROLE)
        except Exception as e:  # noqa: BLE001 (any failure is the finding)
            sys.exit(f"no member role in {profile}: the StackSet instance was not created ({e})")
    for profile in absent.split(","):
        try:
            session(profile).client("iam").get_role(RoleName=ROLE)
        except Exception:  # noqa: BLE001
            continue
        sys.exit(f"a member role in the {profile} account, where the deployment must not put one")


def rotated(profile, account, *users):
    s = session(profile)
    iam, sm = s.client("iam"), s.client("secretsmanager")
    names = {x["Name"] for x in sm.list_secrets()["SecretList"]}
    for u in users:
        n = len(iam.list_access_keys(UserName=u)["AccessKeyMetadata"])
        if n != 2:
            sys.exit(f"account {account} user {u} has {n} access keys, expected 2 (old + new)")
        name = f"key-rotator/{account}/{u}"
        if name not in names:
            sys.exit(f"no secret {name} in account {account}")
        print(f"rotated {account}/{u}: 2 keys, secret {name}")


def main(argv):
    if argv[:2] == ["seed", "org"]:
        values = seed_org()
    elif argv[:2] == ["seed", "single"]:
        values = seed_single()
    elif argv[:1] == ["roles"] and len(argv) == 3:
        return roles(argv[1], argv[2])
    elif argv[:1] == ["rotated"] and len(argv) >= 4:
        return rotated(*argv[1:])
    else:
        sys.exit(__doc__)
    for k, v in values.items():
        print(f"{k}={v}")


if __name__ == "__main__":
    main(sys.argv[1:])
