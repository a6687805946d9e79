namespace Signalbook.Features.Audit.Activity;

/// <summary>Audit actions in the words of the person who did them.</summary>
public static class ActivityText
{
    private static readonly Dictionary<string, string> Known = new()
    {
        [AuditActions.SignIn] = "Signed in",
        [AuditActions.SignInFailed] = "Failed sign-in attempt",
        [AuditActions.SignOut] = "Signed out",
        [AuditActions.Registered] = "Created the account",
        [AuditActions.EmailConfirmed] = "Confirmed the email address",
        [AuditActions.PasswordResetRequested] = "Asked for a password reset",
        [AuditActions.PasswordReset] = "Reset the password",
        [AuditActions.TwoFactorEnabled] = "Turned on two-factor sign-in",
        [AuditActions.TwoFactorDisabled] = "Turned off two-factor sign-in",
        [AuditActions.RecoveryCodesRenewed] = "Renewed the recovery codes",
        [AuditActions.SessionRevoked] = "Revoked a session",
        [AuditActions.RiskConsentAccepted] = "Accepted the risk disclosure",
        [AuditActions.RoleAdded] = "Gave a user a role",
        [AuditActions.RoleRemoved] = "Took a role from a user",
        [AuditActions.JobRunRequested] = "Started a job",
        [AuditActions.ModelActivated] = "Activated a model",
        [AuditActions.TrainingRequested] = "Asked for a model training",
    };

    /// <summary>"Signed in" for <c>auth.sign_in</c>; an action without words reads as "Order: placed" from <c>order.placed</c>.</summary>
    public static string Describe(string action)
    {
        if (Known.TryGetValue(action, out var text)) return text;
        var area = ActivityService.AreaOf(action);
        var rest = action.Length > area.Length ? action[area.Length..].Replace('_', ' ') : action;
        return area == action ? action.Replace('_', ' ') : $"{ActivityService.AreaName(area)}: {rest}";
    }
}
