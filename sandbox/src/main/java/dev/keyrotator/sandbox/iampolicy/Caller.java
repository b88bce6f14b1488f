package dev.keyrotator.sandbox.iampolicy;

/**
 * Who makes a request, as a resource policy's {@code Principal} sees it.
 *
 * @param account the caller's account id
 * @param arn the identity's ARN: a user's, or for a role session the role's ARN ({@code
 *     arn:aws:iam::<acct>:role/<path><name>}, what {@code aws:PrincipalArn} holds)
 */
public record Caller(String account, String arn) {}
