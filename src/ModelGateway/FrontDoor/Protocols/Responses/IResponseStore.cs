namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>Where stored responses live: in this process, or in Redis when the gateway has one (every replica sees them).</summary>
internal interface IResponseStore
{
    ValueTask<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Saves before the client hears the response is complete, so a continuation on any replica finds it at once.</summary>
    ValueTask SaveAsync(StoredResponse response, CancellationToken cancellationToken);

    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
