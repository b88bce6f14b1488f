"""moto's server, with the few AWS behaviours a deploy rehearsal needs that moto 5 lacks.

    python3 scripts/lib/moto_server.py --tls-dir DIR -p PORT   (then python3 -m moto.server's arguments)

--tls-dir: serve HTTPS with a self-signed certificate for 127.0.0.1 written to DIR/cert.pem (give
it to clients as their CA bundle). AWS policies deny plain HTTP (the code bucket's TLS-only
statement, aws:SecureTransport), and moto evaluates bucket policies: the rehearsal needs TLS.

Run by scripts/rehearse-deploy and DeployRehearsalTest. Each addition is named here and in the
README ("Rehearse a deployment against moto"); none changes a template. They are:

1. Organizations reads by a delegated administrator. moto answers ListAccounts, ListChildren,
   ListTagsForResource, ListAWSServiceAccessForOrganization (...) only in the management account;
   AWS answers them for a registered delegated administrator and for an account the
   organization's resource policy grants them to. Here, such a read from such an account is
   answered by the management account's backend. And moto refuses to register a delegated
   administrator for StackSets (member.org.stacksets.cloudformation.amazonaws.com), which AWS
   allows (`--call-as DELEGATED_ADMIN` needs it): here it is on moto's list.
2. Organizations resource policies (PutResourcePolicy, DescribeResourcePolicy,
   DeleteResourcePolicy) and the CloudFormation type AWS::Organizations::ResourcePolicy
   (stacksets/organizations-delegation.yaml), which moto does not have.
3. Service-managed StackSet instances created by a delegated administrator: moto resolves the
   OU targets in the caller's own organization backend, which is empty for a member account, so
   no instance would be created. Here the management account's backend resolves them, and the
   DIFFERENCE account filter (DeploymentTargets.Accounts) is honoured.
4. Bucket policies with conditions: moto checks an object write against the bucket policy with
   every statement's Condition ignored, so the code bucket's TLS-only Deny (Condition
   aws:SecureTransport false) denies every write, even over TLS. Here statements with a
   Condition are left out of that check (the server speaks TLS only, so that Deny never applies).
5. Outputs of a stack made by a change set (`aws cloudformation deploy`): moto builds the
   outputs from the template the stack had before the change set, so describe-stacks shows none.
   Here they are rebuilt once the change set has run.
6. AWS::NoValue in a list: CloudFormation drops the element (`- !If [Cond, {...}, !Ref
   AWS::NoValue]` in a policy's Statement list); moto leaves a null there, which IAM then
   rejects as a malformed policy. Here the nulls are dropped.
7. Ref of an AWS::Events::EventBus: the bus's name in CloudFormation; moto has no physical id for
   it and hands the object itself to the rule that names the bus. Here Ref is the name.
"""

import json
import sys

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing as cfn_parsing
from moto.events import models as events_models
from moto.core.common_models import CloudFormationModel
from moto.organizations import models as org_models
from moto.organizations.responses import OrganizationsResponse
from moto.s3 import models as s3_models

backends = org_models.organizations_backends

READS = {
    "DescribeAccount",
    "DescribeOrganization",
    "DescribeOrganizationalUnit",
    "DescribeResourcePolicy",
    "ListAWSServiceAccessForOrganization",
    "ListAccounts",
    "ListAccountsForParent",
    "ListChildren",
    "ListDelegatedAdministrators",
    "ListOrganizationalUnitsForParent",
    "ListParents",
    "ListRoots",
    "ListTagsForResource",
}


def management_backend(account_id, partition="aws"):
    """The management account's backend of the organization account_id is a member of."""
    own = backends[account_id][partition]
    if own.org is not None:
        return own
    if account_id in backends.master_accounts:
        master, part = backends.master_accounts[account_id]
        return backends[master][part]
    return None


def may_read(mgmt, account_id):
    if any(a.account.id == account_id for a in getattr(mgmt, "admins", [])):
        return True
    policy = getattr(mgmt, "rehearsal_resource_policy", None)
    return policy is not None and account_id in policy["content"]


_own_backend = OrganizationsResponse.organizations_backend.fget


def _backend(self):
    own = _own_backend(self)
    if own.org is None and self._get_action() in READS:
        mgmt = management_backend(self.current_account, self.partition)
        if mgmt is not None and may_read(mgmt, self.current_account):
            return mgmt
    return own


OrganizationsResponse.organizations_backend = property(_backend)
STACKSETS = "member.org.stacksets.cloudformation.amazonaws.com"
if STACKSETS not in org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES:
    org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(STACKSETS)


def _policy_summary(mgmt, policy):
    return {
        "ResourcePolicySummary": {
            "Id": policy["id"],
            "Arn": f"arn:aws:organizations::{mgmt.account_id}:resourcepolicy/{mgmt.org.id}/{policy['id']}",
        },
        "Content": policy["content"],
    }


def put_policy(mgmt, content):
    if not isinstance(content, str):
        content = json.dumps(content)
    mgmt.rehearsal_resource_policy = {"id": "rp-rehearsal1", "content": content}
    return mgmt.rehearsal_resource_policy


def _put_resource_policy(self):
    mgmt = self.organizations_backend
    policy = put_policy(mgmt, self._get_param("Content"))
    return json.dumps({"ResourcePolicy": _policy_summary(mgmt, policy)})


def _describe_resource_policy(self):
    mgmt = self.organizations_backend
    policy = getattr(mgmt, "rehearsal_resource_policy", None)
    if policy is None:
        return 400, {}, json.dumps(
            {
                "__type": "ResourcePolicyNotFoundException",
                "Message": "You specified a resource policy that doesn't exist.",
            }
        )
    return json.dumps({"ResourcePolicy": _policy_summary(mgmt, policy)})


def _delete_resource_policy(self):
    self.organizations_backend.rehearsal_resource_policy = None
    return "{}"


OrganizationsResponse.put_resource_policy = _put_resource_policy
OrganizationsResponse.describe_resource_policy = _describe_resource_policy
OrganizationsResponse.delete_resource_policy = _delete_resource_policy


class RehearsalOrganizationsResourcePolicy(CloudFormationModel):
    """AWS::Organizations::ResourcePolicy, stored as the Organizations resource policy above."""

    __module__ = "moto.organizations.rehearsal"  # moto files models by the service in the module

    def __init__(self, account_id, policy_id):
        self.account_id = account_id
        self.id = policy_id

    @property
    def physical_resource_id(self):
        return self.id

    @staticmethod
    def cloudformation_name_type():
        return ""

    @staticmethod
    def cloudformation_type():
        return "AWS::Organizations::ResourcePolicy"

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("Id", "Arn")

    def get_cfn_attribute(self, attribute_name):
        return self.id

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        mgmt = backends[account_id]["aws"]
        policy = put_policy(mgmt, cloudformation_json["Properties"]["Content"])
        return cls(account_id, policy["id"])

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name
    ):
        backends[account_id]["aws"].rehearsal_resource_policy = None


_own_create_instances = cfn_models.StackInstances.create_instances


def _create_instances(self, accounts, regions, parameters, deployment_targets, permission_model):
    mgmt = management_backend(self.account_id, self.partition)
    targets = dict(deployment_targets or {})
    excluded = []
    if targets.get("AccountFilterType") == "DIFFERENCE":
        excluded = targets.pop("Accounts", [])
        targets.pop("AccountFilterType")
    if mgmt is None:
        return _own_create_instances(self, accounts, regions, parameters, targets, permission_model)
    requested = targets.get("OrganizationalUnitIds", [])
    children = [ou.id for ou in mgmt.ou if ou.parent_id in requested]
    wanted = [(r, a) for r in regions for a in accounts]
    for region in regions:
        for ou_id in requested + children:
            wanted += [(region, a.id) for a in mgmt.accounts if a.parent_id == ou_id]
    new = []
    for region, account in wanted:
        if account in excluded or account == mgmt.account_id:
            continue
        new.append(
            cfn_models.StackInstance(
                account_id=account,
                region_name=region,
                stackset_id=self.stackset_id,
                stack_name=self.stack_name,
                name=self.stackset_name,
                template=self.template,
                parameters=parameters,
                permission_model=permission_model,
            )
        )
    self.stack_instances += new
    return [i.to_dict() for i in new]


cfn_models.StackInstances.create_instances = _create_instances


def _get_permission(self, action, resource):
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    document = json.loads(self.policy.decode())
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    document["Statement"] = [s for s in statements if "Condition" not in s]
    if not document["Statement"]:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)


s3_models.FakeBucket.get_permission = _get_permission

_own_execute_change_set = cfn_models.CloudFormationBackend.execute_change_set


def _execute_change_set(self, change_set_name, stack_name=None):
    _own_execute_change_set(self, change_set_name, stack_name)
    for stack in self.stacks.values():
        if stack.name == stack_name or stack.stack_id == stack_name or stack_name is None:
            stack._parse_template()
            stack.output_map = stack._create_output_map()


cfn_models.CloudFormationBackend.execute_change_set = _execute_change_set

_own_clean_json = cfn_parsing.clean_json


def _clean_json(resource_json, resources_map):
    cleaned = _own_clean_json(resource_json, resources_map)
    if isinstance(resource_json, list) and isinstance(cleaned, list):
        return [v for v in cleaned if v is not None]
    return cleaned


cfn_parsing.clean_json = _clean_json  # its recursion goes through the module's name: all levels

if not hasattr(events_models.EventBus, "physical_resource_id"):
    events_models.EventBus.physical_resource_id = property(lambda self: self.name)

def self_signed(directory):
    """DIR/cert.pem and DIR/key.pem for 127.0.0.1 and localhost, valid for a day."""
    import datetime
    import ipaddress
    import os

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    os.makedirs(directory, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = os.path.join(directory, "cert.pem")
    key_file = os.path.join(directory, "key.pem")
    with open(key_file, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    with open(cert_file, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return cert_file, key_file


if __name__ == "__main__":
    from moto.server import main

    args = sys.argv[1:]
    if args[:1] == ["--tls-dir"]:
        cert_file, key_file = self_signed(args[1])
        args = args[2:] + ["--ssl-cert", cert_file, "--ssl-key", key_file]
    main(args)
