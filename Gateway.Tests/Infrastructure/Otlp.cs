using Google.Protobuf;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Reads OTLP/HTTP protobuf exports as an operator's collector would (opentelemetry-proto's trace and metrics
/// services), by field number, without generated classes: only the fields the tests look at.
/// </summary>
public static class Otlp
{
    /// <summary>A span as exported: ids in lowercase hex, as a <c>traceparent</c> header writes them.</summary>
    public sealed record Span(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name,
        IReadOnlyDictionary<string, string> Attributes);

    /// <summary>One data point of a metric: a sum's or gauge's value, or a histogram's count.</summary>
    public sealed record Point(string Service, string Scope, string Metric, string Unit, double Value, IReadOnlyDictionary<string, string> Attributes);

    /// <summary>The spans of an ExportTraceServiceRequest.</summary>
    public static IEnumerable<Span> Spans(byte[] export) =>
        from resourceSpans in Message.Parse(export).Messages(1)
        let service = ServiceName(resourceSpans)
        from scopeSpans in resourceSpans.Messages(2)
        let scope = scopeSpans.Messages(1).FirstOrDefault()?.String(1) ?? ""
        from span in scopeSpans.Messages(2)
        select new Span(service, scope, Hex(span.Bytes(1)), Hex(span.Bytes(2)), Hex(span.Bytes(4)), span.String(5) ?? "", Attributes(span, 9));

    /// <summary>The data points of an ExportMetricsServiceRequest's gauges, sums and histograms.</summary>
    public static IEnumerable<Point> Points(byte[] export) =>
        from resourceMetrics in Message.Parse(export).Messages(1)
        let service = ServiceName(resourceMetrics)
        from scopeMetrics in resourceMetrics.Messages(2)
        let scope = scopeMetrics.Messages(1).FirstOrDefault()?.String(1) ?? ""
        from metric in scopeMetrics.Messages(2)
        from point in
            metric.Messages(5).Concat(metric.Messages(7)).SelectMany(data => data.Messages(1)).Select(p => (Value: NumberOf(p), Attributes: Attributes(p, 7)))
            .Concat(metric.Messages(9).SelectMany(data => data.Messages(1)).Select(p => (Value: (double)(p.Number(4) ?? 0), Attributes: Attributes(p, 9))))
        select new Point(service, scope, metric.String(1) ?? "", metric.String(3) ?? "", point.Value, point.Attributes);

    /// <summary>NumberDataPoint: as_double (4) or as_int (6).</summary>
    private static double NumberOf(Message point) =>
        point.Number(4) is { } bits ? BitConverter.UInt64BitsToDouble(bits) : (long)(point.Number(6) ?? 0);

    private static string ServiceName(Message resourceScoped) =>
        resourceScoped.Messages(1).Select(resource => Attributes(resource, 1).GetValueOrDefault("service.name")).FirstOrDefault() ?? "";

    /// <summary>KeyValue attributes (key 1, AnyValue 2: string 1, bool 2, int 3, double 4), each as text.</summary>
    private static Dictionary<string, string> Attributes(Message message, int field) =>
        message.Messages(field).ToDictionary(kv => kv.String(1) ?? "", kv => kv.Messages(2).FirstOrDefault() is { } value
            ? value.String(1) ?? value.Number(3)?.ToString() ?? value.Number(2)?.ToString() ?? (value.Number(4) is { } d ? BitConverter.UInt64BitsToDouble(d).ToString() : "")
            : "");

    private static string Hex(byte[]? id) => id is null ? "" : Convert.ToHexStringLower(id);

    /// <summary>A protobuf message as its fields, by number, in the order they came.</summary>
    private sealed class Message
    {
        private readonly List<(int Field, object Value)> fields = [];

        public static Message Parse(byte[] bytes)
        {
            var message = new Message();
            var input = new CodedInputStream(bytes);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                object? value = WireFormat.GetTagWireType(tag) switch
                {
                    WireFormat.WireType.Varint => input.ReadUInt64(),
                    WireFormat.WireType.Fixed64 => input.ReadFixed64(),
                    WireFormat.WireType.Fixed32 => input.ReadFixed32(),
                    WireFormat.WireType.LengthDelimited => input.ReadBytes().ToByteArray(),
                    _ => null,
                };
                if (value is null)
                {
                    input.SkipLastField();
                    continue;
                }
                message.fields.Add((WireFormat.GetTagFieldNumber(tag), value));
            }
            return message;
        }

        public IEnumerable<Message> Messages(int field) => fields.Where(f => f.Field == field && f.Value is byte[]).Select(f => Parse((byte[])f.Value));

        public byte[]? Bytes(int field) => fields.Where(f => f.Field == field).Select(f => f.Value).OfType<byte[]>().FirstOrDefault();

        public string? String(int field) => Bytes(field) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

        /// <summary>A varint or fixed64 field's bits: which it is, and what they mean, the field's number says.</summary>
        public ulong? Number(int field) => fields.Where(f => f.Field == field && f.Value is ulong).Select(f => (ulong?)f.Value).FirstOrDefault();
    }
}
