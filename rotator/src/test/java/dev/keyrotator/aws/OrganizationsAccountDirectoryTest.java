package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.sandbox.SandboxExtension;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OrganizationsAccountDirectoryTest {
  @RegisterExtension static final SandboxExtension SANDBOX = TestOrg.extension();

  private final CallMetrics metrics = new CallMetrics();
  private AwsClientFactory clients;
  private AccountDirectory directory;

  @BeforeEach
  void setUp() {
    clients = TestOrg.clients(SANDBOX, metrics);
    directory = OrganizationsAccountDirectory.create(clients.organizations());
  }

  @AfterEach
  void tearDown() {
    clients.close();
  }

  @Test
  void listsEveryActiveAccountAcrossPages() {
    List<Account> accounts = directory.activeAccounts();

    // management, workload, no-role, dev-tools and the extra members; not the suspended one
    assertThat(accounts).hasSize(4 + TestOrg.EXTRA_MEMBERS);
    assertThat(accounts)
        .extracting(Account::id)
        .doesNotHaveDuplicates()
        .contains(TestOrg.MANAGEMENT, TestOrg.WORKLOAD, TestOrg.NO_ROLE, "200000000021")
        .doesNotContain(TestOrg.SUSPENDED);
    // one call per node (root + 4 OUs) and a second page for Prod's 23 accounts
    assertThat(SANDBOX.sandbox().calls().count("organizations", "ListAccountsForParent"))
        .isEqualTo(6);
  }

  @Test
  void marksTheManagementAccountFromTheRootArnWithoutACallOfItsOwn() {
    List<Account> accounts = directory.activeAccounts(false);

    assertThat(accounts)
        .filteredOn(Account::management)
        .extracting(Account::id)
        .containsExactly(TestOrg.MANAGEMENT);
    assertThat(SANDBOX.sandbox().calls().count("organizations", "ListRoots")).isEqualTo(1);
    assertThat(SANDBOX.sandbox().calls().count("organizations", "DescribeOrganization")).isZero();
  }

  @Test
  void readsTheManagementAccountIdStrictlyFromARootArn() {
    assertThat(
            OrganizationsAccountDirectory.managementAccountId(
                "arn:aws:organizations::123456789012:root/o-a1b2c3d4e5/r-f6g7"))
        .contains("123456789012");
    assertThat(
            OrganizationsAccountDirectory.managementAccountId(
                "arn:aws-us-gov:organizations::123456789012:root/o-a1b2c3d4e5/r-f6g7"))
        .contains("123456789012");
    for (String notARootArn :
        new String[] {
          null,
          "",
          "arn:aws:organizations::123456789012:account/o-a1b2c3d4e5/210987654321",
          "arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-f6g7-abcdefgh",
          "arn:aws:organizations::12345678901:root/o-a1b2c3d4e5/r-f6g7",
          "arn:aws:organizations:us-east-1:123456789012:root/o-a1b2c3d4e5/r-f6g7",
          "arn:aws:organizations::123456789012:root/o-short/r-f6g7",
          "arn:aws:organizations::123456789012:root/o-a1b2c3d4e5/r-f6g7/extra",
          "arn:aws:iam::123456789012:root"
        }) {
      assertThat(OrganizationsAccountDirectory.managementAccountId(notARootArn))
          .as(String.valueOf(notARootArn))
          .isEmpty();
    }
  }

  @Test
  void marksNoAccountWhenTheRootsDoNotAgreeOrHaveNoArn() {
    var good =
        software.amazon.awssdk.services.organizations.model.Root.builder()
            .id("r-f6g7")
            .arn("arn:aws:organizations::123456789012:root/o-a1b2c3d4e5/r-f6g7")
            .build();
    var other = good.toBuilder().arn(good.arn().replace("123456789012", "210987654321")).build();
    var none = good.toBuilder().arn(null).build();
    assertThat(OrganizationsAccountDirectory.managementAccountId(List.of(good)))
        .contains("123456789012");
    assertThat(OrganizationsAccountDirectory.managementAccountId(List.of(good, other))).isEmpty();
    assertThat(OrganizationsAccountDirectory.managementAccountId(List.of(none))).isEmpty();
    assertThat(OrganizationsAccountDirectory.managementAccountId(List.of())).isEmpty();
  }

  @Test
  void givesEachAccountItsOuPathFromTheRoot() {
    Map<String, Account> byId = byId(directory.activeAccounts());

    assertThat(byId.get(TestOrg.MANAGEMENT).ouNames()).isEmpty();
    assertThat(byId.get(TestOrg.MANAGEMENT).ouPathNames()).isEqualTo("/");
    Account workload = byId.get(TestOrg.WORKLOAD);
    assertThat(workload.ouNames()).containsExactly("Workloads", "Prod");
    assertThat(workload.ouPathNames()).isEqualTo("/Workloads/Prod");
    assertThat(workload.ouPath()).hasSize(2).allMatch(id -> id.startsWith("ou-"));
    assertThat(byId.get("444444444444").ouPathNames()).isEqualTo("/Workloads/Dev");
    assertThat(byId.get("444444444444").ouPath().get(0)).isEqualTo(workload.ouPath().get(0));
    assertThat(byId.get(TestOrg.NO_ROLE).ouPathNames()).isEqualTo("/Sandbox");
    assertThat(workload.name()).isEqualTo("prod-workloads");
  }

  @Test
  void readsEveryTagOfEveryAccountIncludingTagPages() {
    Map<String, Account> byId = byId(directory.activeAccounts());

    assertThat(byId.get(TestOrg.WORKLOAD).tags())
        .containsExactlyInAnyOrderEntriesOf(Map.of("env", "prod", "cost-center", "1234"));
    assertThat(byId.get("444444444444").tags()).hasSize(25).containsEntry("k24", "v24");
    assertThat(byId.get(TestOrg.NO_ROLE).tags()).isEmpty();
  }

  @Test
  void walksTheTreeOnceInsteadOfAskingForEachAccountsParents() {
    int active = directory.activeAccounts().size();

    CallMetrics.Snapshot s = metrics.snapshot();
    assertThat(s.of("organizations", "ListParents").calls()).isZero();
    assertThat(s.of("organizations", "ListRoots").calls()).isEqualTo(1);
    // root + 4 OUs
    assertThat(s.of("organizations", "ListOrganizationalUnitsForParent").calls()).isEqualTo(5);
    // at least one per account for tags; plus a second page for the 25-tag account
    assertThat(s.of("organizations", "ListTagsForResource").calls()).isEqualTo(active + 1L);
    assertThat(s.service("organizations").calls()).isLessThan(active + 20L);
  }

  @Test
  void callerWithoutOrganizationsAccessGetsAwsCallException() {
    try (AwsClientFactory member = TestOrg.clientsAs(SANDBOX, TestOrg.WORKLOAD, metrics)) {
      AccountDirectory fromMember = OrganizationsAccountDirectory.create(member.organizations());

      assertThatThrownBy(fromMember::activeAccounts)
          .isInstanceOfSatisfying(
              AwsCallException.class,
              e -> {
                assertThat(e.service()).isEqualTo("organizations");
                assertThat(e.isAccessDenied()).isTrue();
                assertThat(e.statusCode()).isGreaterThanOrEqualTo(400);
              });
    }
  }

  private static Map<String, Account> byId(List<Account> accounts) {
    return accounts.stream().collect(Collectors.toMap(Account::id, Function.identity()));
  }
}
