import { App, Chart } from 'cdk8s';
import { BookinfoApp, IstioAddons, SleepClient } from './lib';

// The seed's application: Istio's addons in istio-system, Bookinfo in `default` with sidecars,
// and the in-mesh `sleep` client used to check it.
const app = new App();
new IstioAddons(new Chart(app, 'istio-addons'), 'addons');
const chart = new Chart(app, 'bookinfo');
new BookinfoApp(chart, 'bookinfo');
new SleepClient(chart, 'sleep');
app.synth();
