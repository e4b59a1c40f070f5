import { Component, type ComponentChildren, createContext, render } from 'preact';

/** The element the portal is drawn into (index.html's `#app`): a modal dialog makes it inert. */
export const PageRoot = createContext<HTMLElement | null>(null);

/** Hands the contexts above a layer (portal, session, step-up) down to what is drawn in it. */
class ContextBridge extends Component<{ context: object; children: ComponentChildren }> {
  override getChildContext(): object {
    return this.props.context;
  }

  override render() {
    return this.props.children;
  }
}

/**
 * Draws its children in a container at the end of `<body>`, outside the page, so that a dialog or menu
 * stays usable while the page under it is inert, and so that a dialog opened later lies above one opened
 * earlier. The children keep the contexts of where the layer is used (what preact/compat's createPortal
 * does, without compat's React emulation).
 */
export class Layer extends Component<{ children: ComponentChildren }> {
  private readonly host = document.createElement('div');

  override componentDidMount(): void {
    document.body.append(this.host);
    this.draw();
  }

  override componentDidUpdate(): void {
    this.draw();
  }

  override componentWillUnmount(): void {
    render(null, this.host);
    this.host.remove();
  }

  override render() {
    return null;
  }

  private draw(): void {
    render(<ContextBridge context={this.context as object}>{this.props.children}</ContextBridge>, this.host);
  }
}
