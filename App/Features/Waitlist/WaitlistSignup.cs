using System.ComponentModel.DataAnnotations;

namespace Signalbook.Features.Waitlist;

/// <summary>The public sign-up form.</summary>
public sealed class WaitlistSignup
{
    [Required(ErrorMessage = "Please tell us your name.")]
    [StringLength(200, ErrorMessage = "Your name can be at most 200 characters.")]
    public string? Name { get; set; }

    [Required(ErrorMessage = "Please enter your email address.")]
    [EmailAddress(ErrorMessage = "That does not look like an email address (for example jane@example.com).")]
    [StringLength(320, ErrorMessage = "Email addresses are at most 320 characters.")]
    public string? Email { get; set; }

    [StringLength(500, ErrorMessage = "Please keep this under 500 characters.")]
    public string? Referral { get; set; }
}
