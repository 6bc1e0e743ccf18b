using System.Text.RegularExpressions;

namespace Gateway.Shared.Matrix;

/// <summary>Matrix ids.</summary>
public static partial class MatrixIds
{
    /// <summary>The server part of a user id: <c>@alice:example.org</c> → <c>example.org</c>.</summary>
    public static string ServerOf(string userId) => userId[(userId.IndexOf(':') + 1)..];

    [GeneratedRegex(@"^\+?[0-9][0-9 \-().]*$")]
    private static partial Regex PhoneLike();

    /// <summary>Phone numbers are one contact however they are written: <c>+237 6 98-76</c> = <c>237698 76</c> = <c>2376 9876</c>.</summary>
    public static string NormalizeContact(string contact) =>
        PhoneLike().IsMatch(contact.Trim()) ? new string(contact.Where(char.IsAsciiDigit).ToArray()) : contact.Trim();
}
