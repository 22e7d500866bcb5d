namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>The names of the client's fields a translation could not carry, each once, in the order met.</summary>
internal sealed class DroppedFields
{
    private readonly List<string> _names = [];

    public void Add(string name)
    {
        if (!_names.Contains(name))
        {
            _names.Add(name);
        }
    }

    /// <summary>Comma-separated, or null when nothing was dropped.</summary>
    public override string? ToString() => _names.Count == 0 ? null : string.Join(", ", _names);
}
