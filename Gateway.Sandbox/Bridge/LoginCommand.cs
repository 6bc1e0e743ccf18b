using System.Text.Json.Nodes;
using Gateway.Sandbox.Matrix;

namespace Gateway.Sandbox.Bridge;

/// <summary>
/// <c>login [qr | phone [+number]]</c> as bridgev2 runs mautrix-whatsapp's two flows. The number may follow the flow
/// (spaces and dashes allowed) or, after <c>login phone</c> alone, come as the user's next message.
/// </summary>
public sealed class LoginCommand(FailureSwitches switches)
{
    public JsonObject? Start(PlatformBridge bridge, MatrixEvent command, string[] args)
    {
        var options = bridge.Platform.Options;
        var hasPhoneFlow = options.PairingInstructions.Length > 0;
        var flows = BotTexts.LoginFlows(options.NetworkName, hasPhoneFlow);
        // bridgev2 picks the only flow itself, and asks when there are several.
        var flow = args.Length > 0 ? args[0].ToLowerInvariant() : hasPhoneFlow ? null : "qr";
        if (flow is null)
        {
            return Reply(BotTexts.ChooseLoginFlow(flows));
        }
        if (flow != "qr" && !(flow == "phone" && hasPhoneFlow))
        {
            return Reply(BotTexts.InvalidLoginFlow(flow, flows));
        }
        if (switches.TakeFailure())
        {
            return Reply(BotTexts.FailedToStartLogin(FailureSwitches.SimulatedFailure));
        }
        bridge.PairingLogins.StopAwaitingNumber(command.Sender); // a new login replaces an unanswered prompt
        if (flow == "qr")
        {
            bridge.QrLogins.Start(command.Sender, command.RoomId); // posts its own notices and QR
            return null;
        }
        if (args.Length == 1)
        {
            bridge.PairingLogins.AwaitNumber(command.Sender);
            return Reply(BotTexts.EnterPhoneNumber(options.NetworkName));
        }
        return SubmitNumber(bridge, command, string.Join(' ', args[1..]), afterPrompt: false);
    }

    /// <summary>
    /// The number for a pairing code. An invalid one leaves a prompt open (bridgev2 asks again); one WhatsApp refuses
    /// ends it.
    /// </summary>
    public JsonObject? SubmitNumber(PlatformBridge bridge, MatrixEvent command, string input, bool afterPrompt)
    {
        var (digits, invalid, refused) = Check(input);
        if (invalid is not null)
        {
            return Reply(BotTexts.InvalidPhoneValue(invalid, direct: !afterPrompt));
        }
        bridge.PairingLogins.StopAwaitingNumber(command.Sender);
        if (refused is not null)
        {
            return Reply(BotTexts.FailedToSubmitInput(refused));
        }
        bridge.PairingLogins.Start(command.Sender, command.RoomId, digits!); // posts the instructions and the code
        return null;
    }

    /// <summary><c>cancel</c>: gives up an unanswered number prompt.</summary>
    public static JsonObject Cancel(PlatformBridge bridge, string userId) =>
        Reply(bridge.PairingLogins.StopAwaitingNumber(userId) ? BotTexts.LoginCancelled : BotTexts.NoOngoingCommand);

    /// <summary>bridgev2's CleanPhoneNumber (the <c>+</c> is required), then what whatsmeow's PairPhone refuses.</summary>
    private static (string? Digits, string? Invalid, string? Refused) Check(string input)
    {
        var cleaned = new string([.. input.Where(c => c is not ('-' or ' ' or '(' or ')'))]);
        if (cleaned.Length < 2)
        {
            return (null, BotTexts.PhoneMustHaveDigits, null);
        }
        if (cleaned[0] != '+')
        {
            return (null, BotTexts.PhoneMustStartWithPlus, null);
        }
        var digits = cleaned[1..];
        if (!digits.All(char.IsAsciiDigit))
        {
            return (null, BotTexts.PhoneOnlyNumbers, null);
        }
        return digits.Length <= 6 ? (null, null, BotTexts.PhoneTooShort)
            : digits.StartsWith('0') ? (null, null, BotTexts.PhoneNotInternational)
            : digits.Length > 15 ? (null, null, BotTexts.PhoneTooLong)
            : (digits, null, null);
    }

    private static JsonObject Reply(string markdown) => MessageContent.Notice(markdown);
}
