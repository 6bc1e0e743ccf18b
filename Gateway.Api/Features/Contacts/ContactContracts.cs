using Gateway.Api.Bridges;
using Gateway.Api.Features.Messages;

namespace Gateway.Api.Features.Contacts;

/// <summary>A number the network knows, and the chat a send reaches it by (<c>chat.id</c> is taken as <c>contact</c>).</summary>
public sealed record ContactOnNetwork(bool OnNetwork, ChatView Chat);

/// <summary>The <c>{phone}</c> of a number check: 7 to 15 digits, with or without <c>+</c>, spaces and dashes.</summary>
public static class ContactPhone
{
    public const string Invalid = "Invalid phone number: use the international format, e.g. +237123456789";

    /// <summary>The number's digits, or null when it is no phone number: a pairing link's rule, the <c>+</c> optional in a path.</summary>
    public static string? Digits(string phone) => PhoneNumberField.Digits(phone.TrimStart().StartsWith('+') ? phone : "+" + phone.TrimStart());
}

internal static class ContactExamples
{
    public static readonly ContactOnNetwork OnNetwork = new(true, new ChatView("contact", "237612345678"));
}
