package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.AccessDeniedException;
import software.amazon.awssdk.services.organizations.model.Account;
import software.amazon.awssdk.services.organizations.model.AccountNotFoundException;
import software.amazon.awssdk.services.organizations.model.AccountStatus;
import software.amazon.awssdk.services.organizations.model.ListAccountsRequest;
import software.amazon.awssdk.services.organizations.model.ListAccountsResponse;
import software.amazon.awssdk.services.organizations.model.OrganizationalUnit;
import software.amazon.awssdk.services.organizations.model.Parent;
import software.amazon.awssdk.services.organizations.model.ParentNotFoundException;
import software.amazon.awssdk.services.organizations.model.ParentType;

class OrganizationsConformanceTest {
  static Fixture fixture() {
    Fixture f = Fixture.create("o-paging00001", "111111111111");
    f.account("111111111111", "management").tag("role", "central");
    Fixture.Ou workloads = f.ou("Workloads");
    Fixture.Ou prod = workloads.ou("Prod");
    for (int i = 1; i < 45; i++) {
      String id = String.format("%012d", 100000000000L + i);
      f.account(id, "member-" + i).tag("n", String.valueOf(i));
      if (i <= 25) prod.account(id);
    }
    f.account("100000000044", "member-44").status("SUSPENDED");
    f.delegatedAdministrator("100000000001");
    return f.validate();
  }

  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.withFixture(fixture());

  OrganizationsClient org(String account) {
    return Clients.admin(SANDBOX.sandbox(), account).organizations();
  }

  @Test
  void fortyFiveAccountsArriveInThreePagesThroughThePaginator() {
    List<ListAccountsResponse> pages =
        org("111111111111").listAccountsPaginator(ListAccountsRequest.builder().build()).stream()
            .toList();
    assertThat(pages).extracting(p -> p.accounts().size()).containsExactly(20, 20, 5);
    assertThat(pages.get(2).nextToken()).isNull();
    List<Account> all = pages.stream().flatMap(p -> p.accounts().stream()).toList();
    assertThat(all).extracting(Account::id).doesNotHaveDuplicates().hasSize(45);
    assertThat(all)
        .filteredOn(a -> a.status() == AccountStatus.SUSPENDED)
        .extracting(Account::id)
        .containsExactly("100000000044");
    assertThat(all.get(0).arn())
        .isEqualTo("arn:aws:organizations::111111111111:account/o-paging00001/111111111111");
  }

  @Test
  void smallerMaxResultsIsHonoured() {
    ListAccountsResponse r = org("111111111111").listAccounts(b -> b.maxResults(7));
    assertThat(r.accounts()).hasSize(7);
    assertThat(r.nextToken()).isNotNull();
  }

  @Test
  void ouTreeRootsParentsAndAccountsForParent() {
    OrganizationsClient org = org("111111111111");
    String root = org.listRoots().roots().get(0).id();
    assertThat(root).isEqualTo("r-sbx0");
    // AWS's shape (API reference, Root.Arn): the management account's id, then o-…/r-…
    assertThat(org.listRoots().roots().get(0).arn())
        .isEqualTo("arn:aws:organizations::111111111111:root/o-paging00001/r-sbx0")
        .matches("^arn:aws:organizations::\\d{12}:root/o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}$");
    List<OrganizationalUnit> top =
        org.listOrganizationalUnitsForParent(b -> b.parentId(root)).organizationalUnits();
    assertThat(top).extracting(OrganizationalUnit::name).containsExactly("Workloads");
    OrganizationalUnit prod =
        org.listOrganizationalUnitsForParent(b -> b.parentId(top.get(0).id()))
            .organizationalUnits()
            .get(0);
    assertThat(prod.name()).isEqualTo("Prod");
    assertThat(prod.id()).matches("ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
    List<Account> inProd =
        org.listAccountsForParentPaginator(b -> b.parentId(prod.id())).stream()
            .flatMap(p -> p.accounts().stream())
            .toList();
    assertThat(inProd).hasSize(25);
    assertThat(org.listAccountsForParent(b -> b.parentId(root)).accounts()).hasSize(20);
    Parent p = org.listParents(b -> b.childId("100000000003")).parents().get(0);
    assertThat(p.id()).isEqualTo(prod.id());
    assertThat(p.type()).isEqualTo(ParentType.ORGANIZATIONAL_UNIT);
    assertThat(org.listParents(b -> b.childId(prod.id())).parents().get(0).id())
        .isEqualTo(top.get(0).id());
    assertThat(org.listParents(b -> b.childId("111111111111")).parents().get(0).type())
        .isEqualTo(ParentType.ROOT);
    assertThatThrownBy(() -> org.listAccountsForParent(b -> b.parentId("ou-sbx0-nothere1")))
        .isInstanceOf(ParentNotFoundException.class);
  }

  @Test
  void organizationTagsAndDescribeAccount() {
    OrganizationsClient org = org("111111111111");
    var o = org.describeOrganization().organization();
    assertThat(o.id()).isEqualTo("o-paging00001");
    assertThat(o.masterAccountId()).isEqualTo("111111111111");
    assertThat(org.listTagsForResource(b -> b.resourceId("100000000009")).tags())
        .singleElement()
        .satisfies(t -> assertThat(t.value()).isEqualTo("9"));
    Account a = org.describeAccount(b -> b.accountId("100000000044")).account();
    assertThat(a.name()).isEqualTo("member-44");
    assertThat(a.status()).isEqualTo(AccountStatus.SUSPENDED);
    assertThatThrownBy(() -> org.describeAccount(b -> b.accountId("123456789012")))
        .isInstanceOf(AccountNotFoundException.class);
  }

  @Test
  void onlyTheManagementAccountOrADelegatedAdministratorMayCall() {
    assertThat(org("100000000001").listAccounts().accounts()).hasSize(20);
    assertThatThrownBy(() -> org("100000000002").listAccounts())
        .isInstanceOf(AccessDeniedException.class);
  }
}
