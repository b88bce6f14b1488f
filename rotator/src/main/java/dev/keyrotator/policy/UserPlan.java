package dev.keyrotator.policy;

import java.util.List;

/**
 * The ordered decisions for one user. Carry them out in order and stop at the first failure:
 * repairs first, then deletes (making room), then the create, then deactivations, then warnings.
 *
 * @param notes observations that are not decisions (an expired exemption, clock skew, a tag
 *     override)
 */
public record UserPlan(String userName, List<Decision> decisions, List<String> notes) {
  public UserPlan {
    decisions = List.copyOf(decisions);
    notes = List.copyOf(notes);
  }
}
